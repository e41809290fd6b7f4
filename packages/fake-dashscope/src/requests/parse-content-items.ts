import { isRecord } from '../is-record.js';
import { invalidParameter } from '../wire-format.js';

// The content list of a multimodal message (protocol §7): single-key items {text}, {image}, {audio},
// {video} (a URL or a list of frame URLs). Media are counted, not looked at: usage shows they arrived.

export interface MediaCounts {
  images: number;
  audios: number;
  videos: number;
}

export const NO_MEDIA: MediaCounts = { images: 0, audios: 0, videos: 0 };

export interface ParsedContent {
  texts: string[];
  media: MediaCounts;
}

// Recorded on the error-code page ([2nd] protocol §7).
export const BAD_CONTENT_ITEM = 'The item of content should be a message of a certain modal.';
// DashScope downloads every media URL; one it cannot fetch fails the call like this.
export const BAD_MEDIA_URL = 'The provided URL does not appear to be valid. Ensure it is correctly formatted.';

const CONTENT_ITEM_KEYS = new Set(['text', 'image', 'video', 'audio']);

export function parseContentItems(content: readonly unknown[]): ParsedContent {
  const texts: string[] = [];
  const media = { ...NO_MEDIA };
  for (const item of content) {
    const key = singleKey(item);
    const value = key === undefined ? undefined : (item as Record<string, unknown>)[key];
    if (key === 'text' && typeof value === 'string') {
      texts.push(value);
    } else if (key === 'image' && typeof value === 'string') {
      assertFetchable(value, 'image');
      media.images += 1;
    } else if (key === 'audio' && typeof value === 'string') {
      assertFetchable(value, 'audio');
      media.audios += 1;
    } else if (key === 'video' && typeof value === 'string') {
      assertFetchable(value, 'video');
      media.videos += 1;
    } else if (key === 'video' && Array.isArray(value) && value.length > 0 && value.every((frame) => typeof frame === 'string')) {
      // A video given as frames is still one video.
      for (const frame of value as string[]) assertFetchable(frame, 'image');
      media.videos += 1;
    } else {
      throw invalidParameter(BAD_CONTENT_ITEM);
    }
  }
  return { texts, media };
}

/** A content item is an object with exactly one modality key. */
function singleKey(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  const keys = Object.keys(item);
  const [key] = keys;
  return keys.length === 1 && key !== undefined && CONTENT_ITEM_KEYS.has(key) ? key : undefined;
}

// What DashScope can download: a public http(s) URL, or the media inline as a base64 data URL of that
// kind. Local paths and oss:// URLs are resolved by the SDKs, never by the HTTP API the gateway calls.
function assertFetchable(url: string, kind: 'image' | 'audio' | 'video'): void {
  const inline = new RegExp(`^data:${kind}/[\\w.+-]+;base64,`, 'i');
  if (!/^https?:\/\/[^\s/]+/i.test(url) && !inline.test(url)) throw invalidParameter(BAD_MEDIA_URL);
}
