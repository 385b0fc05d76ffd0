'use strict';
/*
 * Preloaded into the s3rver child process only (see s3-server.ts). s3rver 3.7 lists keys in the
 * order fs.readdirSync returns directory entries and paginates by "keys after the last one sent",
 * which is correct only when that order is key order. POSIX promises no order (ext4 switches to
 * hash order once a directory outgrows a block; tmpfs returns newest first), while S3 lists in
 * UTF-8 key order. Sorting the names restores S3's behaviour for the flat day folders the tests
 * page through.
 */
const fs = require('fs');
const readdirSync = fs.readdirSync;
fs.readdirSync = function sortedReaddirSync(path, options) {
  const entries = readdirSync.call(this, path, options);
  const withTypes = options && typeof options === 'object' && options.withFileTypes;
  return withTypes ? entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : entries.sort();
};
