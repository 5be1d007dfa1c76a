/*
 * libmica: one C function per kernel invocation (include/mica/invocation.h).
 *
 * Each returns a struct mica_sysret: .status is MICA_OK or an error code
 * (include/mica/errors.h) and .value a result or, on error, a detail word
 * (for MICA_ERR_LOOKUP_FAILED: MICA_LOOKUP_KIND / MICA_LOOKUP_BITS_LEFT).
 *
 * Slots are named as in seL4: a CNode capability `root` plus an `index` and
 * a `depth` (how many bits of index to resolve starting at root). In the
 * root task's initial CSpace a slot number with depth 64 names a slot.
 */
#ifndef LIBMICA_INVOKE_H
#define LIBMICA_INVOKE_H

#include <libmica.h>
#include <mica/cap.h>
#include <mica/invocation.h>
#include <mica/message.h>
#include <mica/object.h>
#include <mica/vspace.h>
#include <mica/tcb.h>

/* The calling thread's IPC buffer (set up by the start-up code). */
extern struct mica_ipc_buffer *mica_ipc;

/*
 * Call `cap` with `label` and message registers mr[0..length), passing
 * the caps named in caps[0..n_caps) (CPtrs in the caller's CSpace).
 */
struct mica_sysret mica_invoke(mica_cptr_t cap, mica_word_t label, const mica_word_t *mr,
                               unsigned length, const mica_cptr_t *caps, unsigned n_caps);

/* Untyped_Retype: make `count` objects of `type` (size_bits for untyped and
 * CNode objects) from `untyped`, with caps in consecutive slots starting at
 * `offset` of the CNode named by (root, node_index, node_depth); depth 0
 * means `root` itself. */
struct mica_sysret mica_untyped_retype(mica_cptr_t untyped, unsigned type, unsigned size_bits,
                                       mica_cptr_t root, mica_word_t node_index,
                                       unsigned node_depth, mica_word_t offset,
                                       unsigned count);

/* CNode_Copy: a copy of the source cap with rights reduced to `rights`,
 * derived from it (revoking the source deletes it). */
struct mica_sysret mica_cnode_copy(mica_cptr_t dest_root, mica_word_t dest_index,
                                   unsigned dest_depth, mica_cptr_t src_root,
                                   mica_word_t src_index, unsigned src_depth, unsigned rights);
/* CNode_Mint: a copy with reduced rights and a badge (endpoints,
 * notifications: set once) or a guard word (CNodes: guard << 8 | guard_bits). */
struct mica_sysret mica_cnode_mint(mica_cptr_t dest_root, mica_word_t dest_index,
                                   unsigned dest_depth, mica_cptr_t src_root,
                                   mica_word_t src_index, unsigned src_depth, unsigned rights,
                                   mica_word_t badge);
/* CNode_Move: move a cap (and its place in the derivation tree). */
struct mica_sysret mica_cnode_move(mica_cptr_t dest_root, mica_word_t dest_index,
                                   unsigned dest_depth, mica_cptr_t src_root,
                                   mica_word_t src_index, unsigned src_depth);
/* CNode_Mutate: move and set a badge or guard at the same time. */
struct mica_sysret mica_cnode_mutate(mica_cptr_t dest_root, mica_word_t dest_index,
                                     unsigned dest_depth, mica_cptr_t src_root,
                                     mica_word_t src_index, unsigned src_depth,
                                     mica_word_t badge);
/* CNode_Delete: empty a slot (destroying the object with its last cap). */
struct mica_sysret mica_cnode_delete(mica_cptr_t root, mica_word_t index, unsigned depth);
/* CNode_Revoke: delete every cap derived from the one in the slot. */
struct mica_sysret mica_cnode_revoke(mica_cptr_t root, mica_word_t index, unsigned depth);
/* CNode_SaveCaller: move this thread's pending reply cap into the (empty)
 * slot, for a deferred reply (a Send on that slot replies). */
struct mica_sysret mica_cnode_save_caller(mica_cptr_t root, mica_word_t index, unsigned depth);

/* Page-table levels (PDPT, page directory, page table): install in
 * `vspace` at the entry covering vaddr, one level up from the object. */
struct mica_sysret mica_page_table_map(mica_cptr_t table, mica_cptr_t vspace, mica_word_t vaddr);
struct mica_sysret mica_page_table_unmap(mica_cptr_t table);

/* Frames: map at a size-aligned user vaddr with MICA_MAP_* rights and a
 * MICA_CACHE_* attribute; one mapping per frame cap. */
struct mica_sysret mica_frame_map(mica_cptr_t frame, mica_cptr_t vspace, mica_word_t vaddr,
                                  unsigned rights, unsigned cache);
struct mica_sysret mica_frame_unmap(mica_cptr_t frame);
/* Change the rights/cache attribute of the frame cap's mapping in place. */
struct mica_sysret mica_frame_remap(mica_cptr_t frame, unsigned rights, unsigned cache);
/* Physical address of the frame in .value. */
struct mica_sysret mica_frame_get_address(mica_cptr_t frame);

/* TCB_Configure: CSpace root (guard word 0 keeps the cap's guard), VSpace,
 * IPC buffer at user address `buffer` in frame `buffer_frame` (buffer 0:
 * none, frame ignored), fault endpoint (a CPtr in the *caller's* CSpace to
 * an endpoint cap with the write right, copied into the TCB; 0: none),
 * priority and MCP (neither may exceed the caller's MCP). */
struct mica_sysret mica_tcb_configure(mica_cptr_t tcb, mica_cptr_t fault_ep, mica_cptr_t cspace,
                                      mica_word_t cspace_guard, mica_cptr_t vspace,
                                      mica_word_t buffer, mica_cptr_t buffer_frame,
                                      unsigned priority, unsigned mcp);
struct mica_sysret mica_tcb_set_priority(mica_cptr_t tcb, unsigned priority);
struct mica_sysret mica_tcb_set_mcp(mica_cptr_t tcb, unsigned mcp);
/* Read the first `count` registers (struct mica_user_context order) into *regs. */
struct mica_sysret mica_tcb_read_registers(mica_cptr_t tcb, unsigned count,
                                           struct mica_user_context *regs);
/* Write the first `count` registers from *regs; resume the thread if asked. */
struct mica_sysret mica_tcb_write_registers(mica_cptr_t tcb, int resume, unsigned count,
                                            const struct mica_user_context *regs);
struct mica_sysret mica_tcb_copy_registers(mica_cptr_t dest, mica_cptr_t src, unsigned flags);
struct mica_sysret mica_tcb_resume(mica_cptr_t tcb);
struct mica_sysret mica_tcb_suspend(mica_cptr_t tcb);
struct mica_sysret mica_tcb_set_fs_base(mica_cptr_t tcb, mica_word_t base);
struct mica_sysret mica_tcb_set_gs_base(mica_cptr_t tcb, mica_word_t base);
/* Bind a notification (cap with the read right) to the thread: its Recv on
 * any endpoint then also returns when the notification is signalled. */
struct mica_sysret mica_tcb_bind_notification(mica_cptr_t tcb, mica_cptr_t ntfn);
struct mica_sysret mica_tcb_unbind_notification(mica_cptr_t tcb);
/* Name the thread in the kernel's messages (faults, halts): at most 31
 * printable characters; a longer name is cut. */
struct mica_sysret mica_tcb_set_name(mica_cptr_t tcb, const char *name);

/* Debug: describe the cap at cptr (MICA_CAP_ID_* in .value). */
struct mica_sysret mica_debug_cap_identify(mica_cptr_t cptr);
/* Debug: IPC fastpath hits since boot in .value; *enabled (if not NULL)
 * says whether the kernel takes the fastpath (kernel option nofastpath). */
struct mica_sysret mica_debug_ipc_stats(int *enabled);

#endif
