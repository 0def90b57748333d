/** Wire-level constants shared by every endpoint. Changing one is a protocol change. */

/** Bumped on any incompatible change to frames or messages. */
export const PROTOCOL_VERSION = 3;

/** Largest JSON header a peer will accept (bytes, UTF-8). */
export const MAX_HEADER_BYTES = 1024 * 1024;

/** Largest binary payload a peer will accept in one frame (bytes). */
export const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;

/** Files up to this size travel whole inside one `put` frame instead of a chunk recipe. */
export const INLINE_FILE_MAX_BYTES = 128 * 1024;

/** Most files in one `putBatch` frame (keeps its header far below MAX_HEADER_BYTES: ~200 B of JSON per file). */
export const PUT_BATCH_MAX_FILES = 256;

/** Most file bytes in one `putBatch` frame: big enough to share one reply and one flush, small enough to pipeline. */
export const PUT_BATCH_MAX_BYTES = 4 * 1024 * 1024;

/** One recipe entry on the wire: 32-byte SHA-256 of the chunk + 4-byte big-endian length. */
export const RECIPE_ENTRY_BYTES = 36;

/** Entries per `listPage` frame, keeping each header well under MAX_HEADER_BYTES. */
export const LIST_PAGE_ENTRIES = 2000;

/** Most (estimated, upper-bound) JSON bytes of the entries in one `listPage`: long paths end a page before LIST_PAGE_ENTRIES. */
export const LIST_PAGE_MAX_BYTES = 512 * 1024;

/** Name of the per-share state folder on the server; never synced, listed or deleted. */
export const STATE_DIR_NAME = '.ferry';

/** Name of the ignore file in a client folder root. */
export const IGNORE_FILE_NAME = '.ferryignore';

/** Feed records per `changes` frame (each ≤ ~4.3 KiB of JSON even with the longest paths: well under MAX_HEADER_BYTES). */
export const CHANGES_PAGE_ENTRIES = 200;

/**
 * Content identity (`hash` of a listed or fed file): files up to INLINE_FILE_MAX_BYTES: SHA-256 of the bytes; larger
 * files: the recipe digest (SHA-256 of the encoded recipe with the default chunking). Both ends compute it alike.
 */
export const CONTENT_ID_WHOLE_FILE_MAX = INLINE_FILE_MAX_BYTES;
