import type { Reader } from './reader.js';

/** The previews section: how long a pull request's preview may live. */

export interface PreviewsSection {
  /** 0: previews never expire. */
  readonly previewTtlHours: number;
}

export function readPreviews(r: Reader): PreviewsSection {
  const ttlText = r.text('preview-ttl');
  const ttl = /^(\d{1,5})([hd])$/.exec(ttlText);
  if (ttlText !== '0' && !ttl) r.fail('preview-ttl', ttlText, 'is not allowed: use hours or days such as 48h or 7d, or 0 for never');
  return { previewTtlHours: ttl ? Number(ttl[1]) * (ttl[2] === 'd' ? 24 : 1) : 0 };
}
