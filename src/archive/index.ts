/** WARC archiving of fetched responses (shared: the worker writes archives, `reextract` reads them). */

export { type ArchivedPayload, WarcReader } from './reader.js';
export {
  ARCHIVE_DEFAULT_MAX_BYTES,
  ArchiveError,
  type ArchiveLocation,
  type ArchiveOptions,
  WarcArchive,
} from './writer.js';
