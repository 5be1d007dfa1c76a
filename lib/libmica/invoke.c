/* libmica invocation stubs (see mica_invoke.h). */
#include <mica_invoke.h>

struct mica_ipc_buffer *mica_ipc;

struct mica_sysret mica_invoke(mica_cptr_t cap, mica_word_t label, const mica_word_t *mr,
                               unsigned length, const mica_cptr_t *caps, unsigned n_caps)
{
    for (unsigned i = MICA_MSG_REGS_IN_CPU; i < length; i++)
        mica_ipc->mr[i] = mr[i];
    for (unsigned i = 0; i < n_caps; i++)
        mica_ipc->caps[i] = caps[i];
    register mica_word_t rax __asm__("rax") = (mica_word_t)MICA_SYS_CALL;
    register mica_word_t rdi __asm__("rdi") = cap;
    register mica_word_t rsi __asm__("rsi") = mica_tag(label, length, n_caps);
    register mica_word_t rdx __asm__("rdx") = length > 0 ? mr[0] : 0;
    register mica_word_t r10 __asm__("r10") = length > 1 ? mr[1] : 0;
    register mica_word_t r8 __asm__("r8") = length > 2 ? mr[2] : 0;
    register mica_word_t r9 __asm__("r9") = length > 3 ? mr[3] : 0;
    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                     :
                     : "rcx", "r11", "memory");
    return (struct mica_sysret){ rax, rdi };
}

struct mica_sysret mica_untyped_retype(mica_cptr_t untyped, unsigned type, unsigned size_bits,
                                       mica_cptr_t root, mica_word_t node_index,
                                       unsigned node_depth, mica_word_t offset, unsigned count)
{
    mica_word_t mr[] = { type, size_bits, node_index, node_depth, offset, count };
    return mica_invoke(untyped, MICA_UNTYPED_RETYPE, mr, 6, &root, 1);
}

static struct mica_sysret two_slots(mica_word_t label, mica_cptr_t dest_root,
                                    mica_word_t dest_index, unsigned dest_depth,
                                    mica_cptr_t src_root, mica_word_t src_index,
                                    unsigned src_depth, mica_word_t extra0, mica_word_t extra1,
                                    unsigned length)
{
    mica_word_t mr[] = { dest_index, dest_depth, src_index, src_depth, extra0, extra1 };
    return mica_invoke(dest_root, label, mr, length, &src_root, 1);
}

struct mica_sysret mica_cnode_copy(mica_cptr_t dest_root, mica_word_t dest_index,
                                   unsigned dest_depth, mica_cptr_t src_root,
                                   mica_word_t src_index, unsigned src_depth, unsigned rights)
{
    return two_slots(MICA_CNODE_COPY, dest_root, dest_index, dest_depth, src_root, src_index,
                     src_depth, rights, 0, 5);
}

struct mica_sysret mica_cnode_mint(mica_cptr_t dest_root, mica_word_t dest_index,
                                   unsigned dest_depth, mica_cptr_t src_root,
                                   mica_word_t src_index, unsigned src_depth, unsigned rights,
                                   mica_word_t badge)
{
    return two_slots(MICA_CNODE_MINT, dest_root, dest_index, dest_depth, src_root, src_index,
                     src_depth, rights, badge, 6);
}

struct mica_sysret mica_cnode_move(mica_cptr_t dest_root, mica_word_t dest_index,
                                   unsigned dest_depth, mica_cptr_t src_root,
                                   mica_word_t src_index, unsigned src_depth)
{
    return two_slots(MICA_CNODE_MOVE, dest_root, dest_index, dest_depth, src_root, src_index,
                     src_depth, 0, 0, 4);
}

struct mica_sysret mica_cnode_mutate(mica_cptr_t dest_root, mica_word_t dest_index,
                                     unsigned dest_depth, mica_cptr_t src_root,
                                     mica_word_t src_index, unsigned src_depth, mica_word_t badge)
{
    return two_slots(MICA_CNODE_MUTATE, dest_root, dest_index, dest_depth, src_root, src_index,
                     src_depth, badge, 0, 5);
}

struct mica_sysret mica_cnode_delete(mica_cptr_t root, mica_word_t index, unsigned depth)
{
    mica_word_t mr[] = { index, depth };
    return mica_invoke(root, MICA_CNODE_DELETE, mr, 2, 0, 0);
}

struct mica_sysret mica_cnode_revoke(mica_cptr_t root, mica_word_t index, unsigned depth)
{
    mica_word_t mr[] = { index, depth };
    return mica_invoke(root, MICA_CNODE_REVOKE, mr, 2, 0, 0);
}

struct mica_sysret mica_debug_cap_identify(mica_cptr_t cptr)
{
    return mica_syscall2(MICA_SYS_DEBUG_CAP_IDENTIFY, cptr, 0);
}

struct mica_sysret mica_page_table_map(mica_cptr_t table, mica_cptr_t vspace, mica_word_t vaddr)
{
    return mica_invoke(table, MICA_PAGE_TABLE_MAP, &vaddr, 1, &vspace, 1);
}

struct mica_sysret mica_page_table_unmap(mica_cptr_t table)
{
    return mica_invoke(table, MICA_PAGE_TABLE_UNMAP, 0, 0, 0, 0);
}

struct mica_sysret mica_frame_map(mica_cptr_t frame, mica_cptr_t vspace, mica_word_t vaddr,
                                  unsigned rights, unsigned cache)
{
    mica_word_t mr[] = { vaddr, rights, cache };
    return mica_invoke(frame, MICA_FRAME_MAP, mr, 3, &vspace, 1);
}

struct mica_sysret mica_frame_unmap(mica_cptr_t frame)
{
    return mica_invoke(frame, MICA_FRAME_UNMAP, 0, 0, 0, 0);
}

struct mica_sysret mica_frame_remap(mica_cptr_t frame, unsigned rights, unsigned cache)
{
    mica_word_t mr[] = { rights, cache };
    return mica_invoke(frame, MICA_FRAME_REMAP, mr, 2, 0, 0);
}

struct mica_sysret mica_frame_get_address(mica_cptr_t frame)
{
    return mica_invoke(frame, MICA_FRAME_GET_ADDRESS, 0, 0, 0, 0);
}

struct mica_sysret mica_tcb_configure(mica_cptr_t tcb, mica_cptr_t fault_ep, mica_cptr_t cspace,
                                      mica_word_t cspace_guard, mica_cptr_t vspace,
                                      mica_word_t buffer, mica_cptr_t buffer_frame,
                                      unsigned priority, unsigned mcp)
{
    mica_word_t mr[] = { fault_ep, cspace_guard, buffer, priority, mcp };
    mica_cptr_t caps[] = { cspace, vspace, buffer_frame };
    return mica_invoke(tcb, MICA_TCB_CONFIGURE, mr, 5, caps, buffer ? 3 : 2);
}

struct mica_sysret mica_tcb_set_priority(mica_cptr_t tcb, unsigned priority)
{
    mica_word_t mr = priority;
    return mica_invoke(tcb, MICA_TCB_SET_PRIORITY, &mr, 1, 0, 0);
}

struct mica_sysret mica_tcb_set_mcp(mica_cptr_t tcb, unsigned mcp)
{
    mica_word_t mr = mcp;
    return mica_invoke(tcb, MICA_TCB_SET_MCP, &mr, 1, 0, 0);
}

struct mica_sysret mica_tcb_read_registers(mica_cptr_t tcb, unsigned count,
                                           struct mica_user_context *regs)
{
    mica_word_t mr = count;
    struct mica_sysret r = mica_invoke(tcb, MICA_TCB_READ_REGISTERS, &mr, 1, 0, 0);
    if (r.status == MICA_OK)
        for (unsigned i = 0; i < count && i < MICA_USER_CONTEXT_WORDS; i++)
            ((mica_word_t *)regs)[i] = mica_ipc->mr[i];
    return r;
}

struct mica_sysret mica_tcb_write_registers(mica_cptr_t tcb, int resume, unsigned count,
                                            const struct mica_user_context *regs)
{
    mica_word_t mr[2 + MICA_USER_CONTEXT_WORDS] = { resume ? 1 : 0, count };
    unsigned n = count < MICA_USER_CONTEXT_WORDS ? count : MICA_USER_CONTEXT_WORDS;
    for (unsigned i = 0; i < n; i++)
        mr[2 + i] = ((const mica_word_t *)regs)[i];
    return mica_invoke(tcb, MICA_TCB_WRITE_REGISTERS, mr, 2 + n, 0, 0);
}

struct mica_sysret mica_tcb_copy_registers(mica_cptr_t dest, mica_cptr_t src, unsigned flags)
{
    mica_word_t mr = flags;
    return mica_invoke(dest, MICA_TCB_COPY_REGISTERS, &mr, 1, &src, 1);
}

struct mica_sysret mica_tcb_resume(mica_cptr_t tcb)
{
    return mica_invoke(tcb, MICA_TCB_RESUME, 0, 0, 0, 0);
}

struct mica_sysret mica_tcb_suspend(mica_cptr_t tcb)
{
    return mica_invoke(tcb, MICA_TCB_SUSPEND, 0, 0, 0, 0);
}

struct mica_sysret mica_tcb_set_fs_base(mica_cptr_t tcb, mica_word_t base)
{
    return mica_invoke(tcb, MICA_TCB_SET_FS_BASE, &base, 1, 0, 0);
}

struct mica_sysret mica_tcb_set_gs_base(mica_cptr_t tcb, mica_word_t base)
{
    return mica_invoke(tcb, MICA_TCB_SET_GS_BASE, &base, 1, 0, 0);
}

struct mica_sysret mica_cnode_save_caller(mica_cptr_t root, mica_word_t index, unsigned depth)
{
    mica_word_t mr[] = { index, depth };
    return mica_invoke(root, MICA_CNODE_SAVE_CALLER, mr, 2, 0, 0);
}

struct mica_sysret mica_tcb_bind_notification(mica_cptr_t tcb, mica_cptr_t ntfn)
{
    return mica_invoke(tcb, MICA_TCB_BIND_NOTIFICATION, 0, 0, &ntfn, 1);
}

struct mica_sysret mica_tcb_unbind_notification(mica_cptr_t tcb)
{
    return mica_invoke(tcb, MICA_TCB_UNBIND_NOTIFICATION, 0, 0, 0, 0);
}

struct mica_sysret mica_tcb_set_name(mica_cptr_t tcb, const char *name)
{
    mica_word_t mr[4] = { 0, 0, 0, 0 };
    /* Longer names are cut to 31 characters, so the NUL always fits. */
    for (unsigned i = 0; i < 4 * sizeof(mica_word_t) - 1 && name[i]; i++)
        mr[i / 8] |= (mica_word_t)(unsigned char)name[i] << (8 * (i % 8));
    return mica_invoke(tcb, MICA_TCB_SET_NAME, mr, 4, 0, 0);
}

struct mica_sysret mica_debug_ipc_stats(int *enabled)
{
    register mica_word_t rax __asm__("rax") = (mica_word_t)MICA_SYS_DEBUG_IPC_STATS;
    register mica_word_t rdi __asm__("rdi") = 0;
    register mica_word_t rsi __asm__("rsi") = 0;
    __asm__ volatile("syscall" : "+r"(rax), "+r"(rdi), "+r"(rsi) : : "rcx", "r11", "rdx", "r8", "r9", "r10", "memory");
    if (enabled)
        *enabled = (int)rsi;
    return (struct mica_sysret){ rax, rdi };
}
