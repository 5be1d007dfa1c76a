/*
 * Address-space invocations' arguments: mapping rights and cache
 * attributes for Frame_Map / Frame_Remap.
 */
#ifndef MICA_VSPACE_H
#define MICA_VSPACE_H

/* Rights of a mapping (a subset of the frame cap's rights; read is implied
 * by any mapping on x86_64, execute needs only read). */
#define MICA_MAP_READ  0x1
#define MICA_MAP_WRITE 0x2
#define MICA_MAP_EXEC  0x4
#define MICA_MAP_ALL   0x7

/* Cache attributes. Device frames are always mapped uncached. */
#define MICA_CACHE_WRITEBACK    0
#define MICA_CACHE_UNCACHED     1
#define MICA_CACHE_WRITETHROUGH 2
#define MICA_CACHE_COUNT        3

/* Address spaces the kernel can track at once (ASIDs; 0 is "none"). */
#define MICA_MAX_ASIDS 4096

#endif
