/** The control stage: pause, resume and cancel a crawl, and fair sharing of the queue between crawls. */
export { ControlError, type ControlResult, cancelCrawl, pauseCrawl, resumeCrawl } from './commands.js';
export { crawlPriority, FairShare, priorityClass } from './fairness.js';
export { CrawlControl } from './hold.js';
export { type ControlState, readControlState } from './state.js';
