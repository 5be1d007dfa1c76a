/*
 * The intermediate paging levels as objects: PDPT (maps 512 GiB, installed
 * in a VSpace's top level), page directory (1 GiB) and page table (2 MiB).
 * Mapping one installs it in the entry covering vaddr one level up, which
 * must already exist.
 *
 * A table has exactly one capability (they cannot be copied) and so at most
 * one place in one address space; unmapping empties it (see below).
 */
#include <arch.h>
#include <bits.h>
#include <invocation.h>
#include <kstring.h>
#include <mica/object.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <mica/layout.h>
#include <vspace.h>

/* MR0 vaddr (any address inside the region it will map); cap0 the VSpace. */
static struct syscall_result map(struct invocation *inv)
{
    struct cap *table = &inv->slot->cap;
    unsigned level = mapping_level(table), missing;
    uint64_t vaddr, root, asid, detail = 0;
    if (!inv_mr(inv, 0, &vaddr))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    int err = inv_vspace(inv, &root, &asid, &detail);
    if (err)
        return inv_error(err, detail);
    if (table->word2)
        return inv_error(MICA_ERR_MAPPED, table->word1);
    if (vaddr >= MICA_USER_TOP)
        return inv_error(MICA_ERR_RANGE, vaddr);
    vaddr = align_down(vaddr, 1ull << (12 + 9 * level));
    uint64_t *slot = arch_pt_slot(root, vaddr, level, &missing);
    if (!slot)
        return inv_error(MICA_ERR_NOT_MAPPED, missing);
    if (arch_pte_present(*slot))
        return inv_error(MICA_ERR_MAPPED, vaddr);
    *slot = arch_pte_table(table->paddr);
    table->word1 = vaddr;
    table->word2 = asid;
    return inv_ok(0);
}

struct syscall_result page_table_invoke(struct invocation *inv)
{
    switch (inv->label) {
    case MICA_PAGE_TABLE_MAP:
        return map(inv);
    case MICA_PAGE_TABLE_UNMAP:
        if (!inv->slot->cap.word2)
            return inv_error(MICA_ERR_NOT_MAPPED, 0);
        mapping_remove(&inv->slot->cap);
        /* Forget everything mapped through it: entries left here could
         * point at memory freed while the table was detached. A table must
         * be unmapped before it can be mapped again, so it never returns
         * with stale contents. */
        memset(arch_phys_to_virt(inv->slot->cap.paddr), 0, 1ull << MICA_PAGE_TABLE_BITS);
        return inv_ok(0);
    }
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}
