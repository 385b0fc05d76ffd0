/**
 * CloudTrail log files have no API to emulate: the "emulator" is a generator of trail folders
 * (gzip log files, signed digest chain) and an uploader that puts one into any S3-compatible
 * server. Tests and `auditpack demo` use them.
 */
export { writeCloudTrailLogFolder, type LogFolderOptions, type LogFolderTruth } from './write-log-folder.js';
export { uploadLogFolder } from './upload-folder.js';
export { demoCloudtrailFilesSetup } from './demo.js';
