/** The serve stage: the results explorer, a read-only web UI over the database. */
export { type Explorer, type ExplorerOptions, startExplorer } from './server.js';
