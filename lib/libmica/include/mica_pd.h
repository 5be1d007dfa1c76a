/*
 * Protection domains: what a program of a system (docs/system-description.md)
 * learns about itself and its resources at run time.
 *
 * init writes a struct mica_pd_info (include/mica/system.h) read-only at
 * MICA_PD_INFO in every PD it builds. These functions read it, so a program
 * finds its memory regions, endpoints, I/O ports, devices, untyped and IRQs
 * by the names the description gives them, and its channels (and IRQs too)
 * by their ids: nothing depends on which slot or address init happened to
 * choose.
 *
 * They work in any program init started from a system image: a component
 * (mica_component.h, whose main is provided) or a program with its own
 * main. Outside a system (the root task, the kernel test suite) mica_pd()
 * is NULL, every lookup finds nothing and every channel call answers
 * MICA_ERR_NOT_SUPPORTED.
 */
#ifndef MICA_PD_H
#define MICA_PD_H

#include <mica/system.h>
#include <mica_ipc.h>

/* A channel id of this PD, 0 .. MICA_CHANNEL_MAX - 1. */
typedef unsigned mica_channel_t;

/* This PD's info, or NULL when the program is not part of a system. The
 * info is checked once (magic, version, size, resource count, terminated
 * names, heap inside [MICA_PD_HEAP, MICA_PD_HEAP_END)); a PD whose info
 * fails a check is treated as not part of a system. */
const struct mica_pd_info *mica_pd(void);

/* Why mica_pd() is NULL, in a few words ("not a protection domain of a
 * system (its boot info names no PD info)", "PD info at 0x... has
 * version 2, expected 1", ...), or NULL when it is not. */
const char *mica_pd_problem(void);

/* This PD's name ("" outside a system). */
const char *mica_pd_name(void);

/* The resource called `name` (a memory region's map, BAR, endpoint, I/O
 * port range, device, untyped, or an irq the description names), or NULL
 * if the PD has none of that name. Channels and PPCs have no names (look
 * them up by id with mica_channel_resource), nor has an irq given without
 * one; "" finds nothing. An IRQ's record (MICA_RES_IRQ) gives its channel
 * id (id: its bit in the notification word, for mica_irq_ack), its
 * IRQHandler (cap) and its source: value is an MSI number when flags has
 * MICA_RES_IRQ_MSI, else a GSI. */
const struct mica_pd_resource *mica_resource(const char *name);

/* The name of a resource kind ("memory", "irq", ...; "?" if unknown). */
const char *mica_resource_kind_name(unsigned kind);

/* Shorthands: the address of a mapped region or BAR (NULL if there is no
 * such resource or it is not memory; *size gets its size if size is not
 * NULL), and the cap of a resource (0 if none). */
void *mica_resource_vaddr(const char *name, mica_word_t *size);
mica_cptr_t mica_resource_cap(const char *name);

/* The record for channel / IRQ `ch` of a kind (MICA_RES_CHANNEL, _PPC,
 * _IRQ), or NULL. */
const struct mica_pd_resource *mica_channel_resource(mica_channel_t ch, unsigned kind);

/* The resources of one kind (0: any kind) in the order of the PD info: the
 * first with prev NULL, then the one after prev; NULL after the last.
 *     for (r = mica_resource_next(NULL, MICA_RES_MEMORY); r;
 *          r = mica_resource_next(r, MICA_RES_MEMORY)) ... */
const struct mica_pd_resource *mica_resource_next(const struct mica_pd_resource *prev,
                                                  unsigned kind);

/* Signal the other end of channel ch. MICA_ERR_INVALID_ARGUMENT if ch is
 * not a channel of this PD that may notify. */
mica_word_t mica_notify(mica_channel_t ch);

/*
 * Protected procedure calls. A message is a tag (mica/message.h: label and
 * length) plus message registers set with mica_mr_set before the call and
 * read with mica_mr_get after it (and in the callee's `protected`).
 */
typedef mica_word_t mica_msginfo_t;
static inline mica_msginfo_t mica_msginfo(mica_word_t label, unsigned count)
{
    return mica_tag(label, count, 0);
}
static inline mica_word_t mica_msginfo_label(mica_msginfo_t m) { return mica_tag_label(m); }
static inline unsigned mica_msginfo_count(mica_msginfo_t m) { return mica_tag_length(m); }
/* i < MICA_MSG_MAX_LENGTH; others are ignored (set) or read as 0 (get). */
void mica_mr_set(unsigned i, mica_word_t value);
mica_word_t mica_mr_get(unsigned i);

/* Call the other end of channel ch (this end must have pp="true") with
 * msg and the message registers set; returns the reply's tag, its
 * registers readable with mica_mr_get. A channel that may not call, or a
 * failed IPC, returns a tag with label MICA_PPC_FAILED and the error in
 * MR0. No capabilities travel: msg's caps count is ignored. */
#define MICA_PPC_FAILED 0xffffffffffffull
mica_msginfo_t mica_ppcall(mica_channel_t ch, mica_msginfo_t msg);

/* Acknowledge the IRQ delivered on channel ch, so the next can come. */
mica_word_t mica_irq_ack(mica_channel_t ch);

/*
 * The heap (heap_size in the description; none if 0): a first-fit
 * allocator over [heap_base, heap_base + heap_size), 16-byte aligned
 * blocks. mica_malloc returns NULL when no block fits; mica_free(NULL)
 * does nothing.
 */
void *mica_malloc(mica_word_t size);
void *mica_calloc(mica_word_t n, mica_word_t size);
void mica_free(void *p);

/* The heap's state: *free_bytes gets the bytes of all free blocks
 * (their headers included), *largest the largest size mica_malloc can
 * give now. Either pointer may be NULL. With no heap both are 0. */
void mica_heap_stats(mica_word_t *free_bytes, mica_word_t *largest);

/*
 * The end of a PD's program (called by mica_exit when main returns): a
 * PD must not stop the machine, so it prints "<pd>: main returned N;
 * stopping" and suspends its own thread (should that fail, it faults on
 * purpose, so that init stops it). Returns only in a program that is not
 * a PD (no pd_info in its boot info), whose mica_exit then halts.
 */
void mica_pd_exit(int status);

#endif
