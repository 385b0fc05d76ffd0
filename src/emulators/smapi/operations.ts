/**
 * The operation names and supported versions of the Audit Logs API, transcribed in full from the
 * table "Operation names and supported versions" of https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html. The emulator's data set uses every
 * row, and validates `requestFilters.operations` against it.
 */

/** What an operation touches, which decides the `resources[]` of its audit records. */
export type ResourceKind = 'skill' | 'isp' | 'isp+skill' | 'catalog' | 'catalog+skill' | 'import' | 'export' | 'export+skill' | 'none';

export interface OperationSpec {
  category: string;
  name: string;
  versions: readonly string[];
}

const TABLE: readonly (readonly [string, string, string])[] = [
  ['Account Linking Management', 'getAccountLinkingInfo', 'v0,v1'],
  ['Account Linking Management', 'updateAccountLinkingInfo', 'v0,v1'],
  ['Account Linking Management', 'deleteAccountLinkingInfo', 'v1'],
  ['Audit Logs', 'queryDevelopmentAuditLogs', 'v1'],
  ['Catalog Content Upload', 'associateCatalogWithSkill', 'v0'],
  ['Catalog Content Upload', 'completeCatalogUpload', 'v0'],
  ['Catalog Content Upload', 'createCatalogUpload', 'v0,v1'],
  ['Catalog Content Upload', 'getContentUploadById', 'v0,v1'],
  ['Catalog Content Upload', 'generateContentUploadUrl', 'v1'],
  ['Catalog Content Upload', 'createCatalog', 'v0'],
  ['Catalog Content Upload', 'getCatalog', 'v0'],
  ['Catalog Content Upload', 'listCatalogsForVendor', 'v0'],
  ['Catalog Content Upload', 'listCatalogsForSkill', 'v0'],
  ['Catalog Content Upload', 'listUploadsForCatalog', 'v0'],
  ['Intent Request History', 'getUtteranceData', 'v1'],
  ['Intent Request History', 'reviewUpdatesForIntentRequests', 'v1'],
  ['Interaction Model Management', 'getInteractionModel', 'v0,v1'],
  ['Interaction Model Management', 'getInteractionModelVersion', 'v1'],
  ['Interaction Model Management', 'listInteractionModelVersions', 'v1'],
  ['Interaction Model Management', 'getInteractionModelMetadata', 'v0,v1'],
  ['Interaction Model Management', 'setInteractionModel', 'v0,v1'],
  ['Interaction Model Management', 'getInteractionModelStatus', 'v0'],
  ['In-Skill Product Management', 'createIspForVendor', 'v1'],
  ['In-Skill Product Management', 'getIspDefinition', 'v1'],
  ['In-Skill Product Management', 'disassociateIspWithSkill', 'v1'],
  ['In-Skill Product Management', 'updateIspForProduct', 'v1'],
  ['In-Skill Product Management', 'getIspSummary', 'v1'],
  ['In-Skill Product Management', 'getIspListForVendor', 'v1'],
  ['In-Skill Product Management', 'getIspAssociatedSkills', 'v1'],
  ['In-Skill Product Management', 'getIspListForSkillId', 'v1'],
  ['In-Skill Product Management', 'resetEntitlementForProduct', 'v1'],
  ['Metrics', 'getSkillMetrics', 'v1'],
  ['Slot Type in Multiple Skills', 'createSlotTypeForInteractionModel', 'v1'],
  ['Slot Type in Multiple Skills', 'getSlotTypeForInteractionModel', 'v1'],
  ['Slot Type in Multiple Skills', 'updateSlotTypeForInteractionModel', 'v1'],
  ['Slot Type in Multiple Skills', 'listSlotTypesForInteractionModel', 'v1'],
  ['Slot Type in Multiple Skills', 'deleteSlotTypeForInteractionModel', 'v1'],
  ['Slot Type in Multiple Skills', 'createSlotTypeVersionForInteractionModel', 'v1'],
  ['Slot Type in Multiple Skills', 'getSlotTypeVersionForInteractionModel', 'v1'],
  ['Slot Type in Multiple Skills', 'getSlotTypeBuildStatusForInteractionModel', 'v1'],
  ['Slot Type in Multiple Skills', 'updateSlotTypeVersionForInteractionModel', 'v1'],
  ['Slot Type in Multiple Skills', 'listSlotTypeVersionsForInteractionModel', 'v1'],
  ['Slot Type in Multiple Skills', 'deleteSlotTypeVersionForInteractionModel', 'v1'],
  ['Reference-Based Catalog Management', 'createInteractionModelCatalog', 'v1'],
  ['Reference-Based Catalog Management', 'createInteractionModelCatalogVersion', 'v1'],
  ['Reference-Based Catalog Management', 'getInteractionModelCatalogUpdateStatus', 'v1'],
  ['Reference-Based Catalog Management', 'listInteractionModelCatalogs', 'v1'],
  ['Reference-Based Catalog Management', 'listInteractionModelCatalogVersions', 'v1'],
  ['Reference-Based Catalog Management', 'getInteractionModelCatalogVersion', 'v1'],
  ['Reference-Based Catalog Management', 'getInteractionModelCatalogDefinition', 'v1'],
  ['Reference-Based Catalog Management', 'getInteractionModelCatalogValues', 'v1'],
  ['Reference-Based Catalog Management', 'updateInteractionModelCatalog', 'v1'],
  ['Reference-Based Catalog Management', 'updateInteractionModelCatalogVersion', 'v1'],
  ['Reference-Based Catalog Management', 'deleteInteractionModelCatalog', 'v1'],
  ['Reference-Based Catalog Management', 'deleteInteractionModelCatalogVersion', 'v1'],
  ['Skill Certification And Publishing', 'submitSkillForCertification', 'v0,v1'],
  ['Skill Certification And Publishing', 'withdrawSkillFromCertification', 'v0,v1'],
  ['Skill Certification And Publishing', 'getCertificationReview', 'v1'],
  ['Skill Certification And Publishing', 'getCertificationsList', 'v1'],
  ['Skill Certification And Publishing', 'unpublishSkill', 'v1'],
  ['Skill Certification And Publishing', 'publishSkill', 'v1'],
  ['Skill Certification And Publishing', 'getSkillPublication', 'v1'],
  ['Skill Credentials', 'getSkillCredentials', 'v1'],
  ['Skill Enablement', 'getSkillEnablementStatus', 'v1'],
  ['Skill Enablement', 'setSkillEnablement', 'v1'],
  ['Skill Enablement', 'deleteSkillEnablement', 'v1'],
  ['Skill Management', 'getSkillManifest', 'v0,v1'],
  ['Skill Management', 'createSkillForVendor', 'v0,v1'],
  ['Skill Management', 'updateSkill', 'v0,v1'],
  ['Skill Management', 'getSkillStatus', 'v0'],
  ['Skill Management', 'listSkillsForVendor', 'v0'],
  ['Skill Management', 'listSkills', 'v1'],
  ['Skill Management', 'deleteSkill', 'v0,v1'],
  ['Skill Package Management', 'createUploadUrl', 'v1'],
  ['Skill Package Management', 'createSkillPackage', 'v1'],
  ['Skill Package Management', 'importSkillPackage', 'v1'],
  ['Skill Package Management', 'createExportRequestForSkill', 'v1'],
  ['Skill Package Management', 'getImportStatus', 'v1'],
  ['Skill Package Management', 'getStatusOfExportRequest', 'v1'],
  ['Smart Home Evaluation', 'listCapabilityTestPlansForSmartHome', 'v1'],
  ['Smart Home Evaluation', 'createCapabilityEvaluationForSmartHome', 'v1'],
  ['Smart Home Evaluation', 'listCapabilityEvaluationsForSmartHome', 'v1'],
  ['Smart Home Evaluation', 'getCapabilityEvaluationForSmartHome', 'v1'],
  ['Smart Home Evaluation', 'getCapabilityEvaluationResultsForSmartHome', 'v1'],
  ['Vendor Management', 'getVendorList', 'v0'],
  ['Alexa-hosted Skill', 'getAlexaHostedSkillMetadata', 'v1'],
  ['Alexa-hosted Skill', 'generateCredentialsForAlexaHostedSkill', 'v1'],
  ['Alexa-hosted Skill', 'getAlexaHostedSkillUserPermissions', 'v1'],
  ['Skill Validation', 'submitSkillValidation', 'v0'],
  ['Skill Validation', 'getSkillValidations', 'v0'],
  ['Skill Invocation', 'invokeSkill', 'v0,v2'],
  ['Skill Simulation', 'simulateSkill', 'v0,v2'],
  ['Skill Simulation', 'getSkillSimulation', 'v0,v2'],
  ['Skill Beta Testing', 'getBetaTest', 'v1'],
  ['Skill Beta Testing', 'createBetaTest', 'v1'],
  ['Skill Beta Testing', 'updateBetaTest', 'v1'],
  ['Skill Beta Testing', 'endBetaTest', 'v1'],
  ['Skill Beta Testing', 'getListOfTesters', 'v1'],
  ['Skill Beta Testing', 'addTesterstoBetaTest', 'v1'],
  ['Skill Beta Testing', 'removeTestersFromBetaTest', 'v1'],
  ['Skill Beta Testing', 'sendReminderToTesters', 'v1'],
  ['Skill Beta Testing', 'requestFeedbackFromTesters', 'v1'],
  ['Skill Development Notifications', 'createSubscriberForDevelopmentEvents', 'v0'],
  ['Skill Development Notifications', 'createSubscriptionForDevelopmentEvents', 'v0'],
  ['Skill Development Notifications', 'deleteSubscriberForDevelopmentEvents', 'v0'],
  ['Skill Development Notifications', 'deleteSubscriptionForDevelopmentEvents', 'v0'],
  ['Skill Development Notifications', 'getSubscriberForDevelopmentEvents', 'v0'],
  ['Skill Development Notifications', 'getSubscriptionForDevelopmentEvents', 'v0'],
  ['Skill Development Notifications', 'listSubscribersForDevelopmentEvents', 'v0'],
  ['Skill Development Notifications', 'listSubscriptionsForDevelopmentEvents', 'v0'],
  ['Skill Development Notifications', 'setSubscriberForDevelopmentEvents', 'v0'],
  ['Skill Development Notifications', 'setSubscriptionForDevelopmentEvents', 'v0'],
  ['Utterance Profiler', 'profileNlu', 'v1'],
  ['NLU Evaluation', 'createNluEvaluation', 'v1'],
  ['NLU Evaluation', 'listNluEvaluations', 'v1'],
  ['NLU Evaluation', 'getResultsForNluEvaluation', 'v1'],
  ['NLU Evaluation', 'createNluAnnotationSet', 'v1'],
  ['NLU Evaluation', 'setAnnotationsForNluAnnotationSet', 'v1'],
  ['NLU Evaluation', 'setPropertiesForNluAnnotationSet', 'v1'],
  ['NLU Evaluation', 'listNluAnnotationSets', 'v1'],
  ['NLU Evaluation', 'getAnnotationsForNluAnnotationSet', 'v1'],
  ['NLU Evaluation', 'getPropertiesForNluAnnotationSet', 'v1'],
  ['NLU Evaluation', 'deleteNluAnnotationSet', 'v1'],
  ['Utterance Conflict Detection', 'getUtteranceConflictsForSkill', 'v1'],
  ['Utterance Conflict Detection', 'getConflictDetectionJobStatusForInteractionModel', 'v1'],
  ['Skill SSL Certificates', 'setSSLCertificates', 'v1'],
  ['Skill SSL Certificates', 'getSSLCertificates', 'v1'],
  ['Private Skill Distribution', 'setPrivateDistributionAccountId', 'v0'],
  ['Private Skill Distribution', 'deletePrivateDistributionAccountId', 'v0'],
  ['Private Skill Distribution', 'listPrivateDistributionAccounts', 'v0'],
];

export const SMAPI_OPERATIONS: readonly OperationSpec[] = TABLE.map(([category, name, versions]) => ({
  category,
  name,
  versions: versions.split(','),
}));

/** One (name, version) pair: the unit the data set draws from and the filters match on. */
export interface OperationVariant {
  name: string;
  version: string;
  category: string;
  resources: ResourceKind;
  /** Relative frequency in the generated data set. */
  weight: number;
  /** HTTP code of a successful call. */
  successCode: number;
}

/** Calls developers make all day (a CLI deploy loop, the console's test tab); the rest are rarer. */
const FREQUENT: Readonly<Record<string, number>> = {
  getSkillManifest: 30,
  updateSkill: 18,
  getSkillStatus: 22,
  setInteractionModel: 14,
  getInteractionModel: 16,
  simulateSkill: 20,
  getSkillSimulation: 20,
  invokeSkill: 10,
  listSkillsForVendor: 12,
  listSkills: 8,
  getVendorList: 6,
  createUploadUrl: 6,
  importSkillPackage: 6,
  getImportStatus: 10,
  submitSkillForCertification: 3,
  getCertificationsList: 4,
  publishSkill: 2,
  getUtteranceData: 4,
  getSkillMetrics: 5,
  getIspListForSkillId: 4,
  queryDevelopmentAuditLogs: 3,
  getSkillCredentials: 2,
};

function resourceKind(name: string): ResourceKind {
  if (/^(getVendorList|listSkillsForVendor|listSkills|queryDevelopmentAuditLogs|createUploadUrl|listCatalogsForVendor|listInteractionModelCatalogs|getIspListForVendor|createIspForVendor|createInteractionModelCatalog|createCatalog|createSkillForVendor)$/.test(name)) {
    return name === 'createIspForVendor' ? 'isp' : name === 'createSkillForVendor' ? 'skill' : name.startsWith('createInteractionModelCatalog') || name === 'createCatalog' ? 'catalog' : 'none';
  }
  if (/Subscriber|Subscription/.test(name)) return 'none';
  if (name === 'disassociateIspWithSkill') return 'isp+skill';
  if (name === 'getIspListForSkillId') return 'skill';
  if (/Isp|EntitlementForProduct/.test(name)) return 'isp';
  if (name === 'associateCatalogWithSkill' || name === 'listCatalogsForSkill') return 'catalog+skill';
  if (/Catalog|ContentUpload/.test(name)) return 'catalog';
  if (name === 'importSkillPackage' || name === 'getImportStatus' || name === 'createSkillPackage') return 'import';
  if (name === 'createExportRequestForSkill') return 'export+skill';
  if (name === 'getStatusOfExportRequest') return 'export';
  return 'skill';
}

function successCode(name: string): number {
  if (/^(delete|remove|reset|end|disassociate)/.test(name)) return 204;
  if (/^(submit|withdraw|publish|unpublish|import|createSkillPackage|createExportRequest|setInteractionModel|profile|createNluEvaluation|createCapabilityEvaluation)/.test(name)) return 202;
  if (/^create/.test(name)) return 201;
  return 200;
}

export const OPERATION_VARIANTS: readonly OperationVariant[] = SMAPI_OPERATIONS.flatMap((op) =>
  op.versions.map((version) => {
    const base = FREQUENT[op.name] ?? 1;
    // The newest version carries most of the traffic; older versions linger in old tools.
    const weight = op.versions.length > 1 && version !== op.versions[op.versions.length - 1] ? Math.max(0.5, base / 6) : base;
    return { name: op.name, version, category: op.category, resources: resourceKind(op.name), weight, successCode: successCode(op.name) };
  }),
);
