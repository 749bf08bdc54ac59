/** The fetcher's public API. */
export {
  type AddressVerdict,
  type AllowPrivate,
  createAddressPolicy,
  nonPublicReason,
} from './address-policy.js';
export { decodeBody } from './body.js';
export { charsetParam, type DecodedHtml, decodeHtml, type HtmlEncoding, htmlEncoding } from './charset.js';
export { isHtmlType, looksBinary, mimeType, sniffHtml } from './content-type.js';
export { Fetcher } from './fetcher.js';
export { decodeWith } from './labels.js';
export { type CapturedExchange, FETCH_DEFAULTS, type FetchOptions, type FetchResult } from './options.js';
export { parseRetryAfter } from './retry-after.js';
export { classifyStatus } from './status.js';
export { redactUrl } from './url.js';
