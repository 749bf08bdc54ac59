/** The store stage: the SQLite database, the one store writer that fills it, and read-only queries over it. */
export {
  AUDIT_COUNTS_MIN_PAGES,
  type AuditCheck,
  type AuditCheckResult,
  AuditError,
  type AuditFinding,
  type AuditFormat,
  type AuditMemo,
  type AuditOptions,
  type AuditReport,
  type AuditSetting,
  auditChecks,
  auditSettings,
  formatAudit,
  runAudit,
  setAuditSettings,
  storeAuditCounts,
} from './audit.js';
export { type BatchInfo, runStoreWriter, type StoreWriterOptions } from './consumer.js';
export { type Db, latestSchemaVersion, type OpenDbOptions, openDb, schemaVersion } from './db.js';
export {
  type Change,
  type CrawlDiff,
  DIFF_COLUMNS,
  type DiffOptions,
  diffCrawls,
  type FieldChange,
  type PageDiff,
  pageComparer,
  UnknownCrawlError,
} from './diff.js';
export {
  EXPORT_TABLES,
  type ExportFormat,
  type ExportOptions,
  type ExportResult,
  type ExportTable,
  exportCrawl,
} from './export.js';
export { finishWritesInThread } from './finish.js';
export { RecordInbox } from './inbox.js';
export { finishWrites, missingIndexes, refreshStatistics } from './indexes.js';
export { splitFragment } from './intern.js';
export {
  type Cell,
  type CrawlSummary,
  cell,
  crawlSummary,
  csvField,
  type QueryFormat,
  runQuery,
  toCsv,
  toTable,
} from './query.js';
export { closeReadOnlyDb, openReadOnlyDb } from './readonly.js';
export { type ReextractOptions, type ReextractResult, reextractCrawl } from './reextract.js';
export { SinceReader, type SinceRow } from './since.js';
export { PageWriter } from './writer.js';
