/*
 * Kernel object types and their sizes, for Untyped_Retype.
 *
 * Every kernel object is made from untyped memory. Fixed-size objects have
 * the size given here; CNodes take `size_bits` = log2 of their number of
 * slots, untyped objects `size_bits` = log2 of their size in bytes.
 */
#ifndef MICA_OBJECT_H
#define MICA_OBJECT_H

enum mica_object_type {
    MICA_OBJ_NULL = 0,
    MICA_OBJ_UNTYPED = 1,
    MICA_OBJ_TCB = 2,
    MICA_OBJ_ENDPOINT = 3,
    MICA_OBJ_NOTIFICATION = 4,
    MICA_OBJ_CNODE = 5,
    MICA_OBJ_VSPACE = 6,        /* x86_64 PML4: the root of an address space */
    MICA_OBJ_PDPT = 7,          /* page-directory-pointer table: maps 512 GiB */
    MICA_OBJ_PAGE_DIRECTORY = 8, /* maps 1 GiB */
    MICA_OBJ_PAGE_TABLE = 9,    /* maps 2 MiB */
    MICA_OBJ_FRAME_4K = 10,
    MICA_OBJ_FRAME_2M = 11,
    MICA_OBJ_IO_PAGE_TABLE = 12, /* one level of an IOSpace's DMA translation tables */
    MICA_OBJ_TYPE_COUNT,
    /* Not made by Untyped_Retype: the one-shot reply capability a Call
     * creates (docs/objects/reply.md). Debug_CapIdentify reports it. */
    MICA_OBJ_REPLY = 32,
    /* Device authority, never made from untyped (docs/objects/irq.md,
     * ioport.md, iospace.md): the control caps are in the root task's
     * initial CSpace, the others are issued by them. */
    MICA_OBJ_IRQ_CONTROL = 33,
    MICA_OBJ_IRQ_HANDLER = 34,
    MICA_OBJ_IOPORT_CONTROL = 35,
    MICA_OBJ_IOPORT = 36,
    MICA_OBJ_IOSPACE_CONTROL = 37,
    MICA_OBJ_IOSPACE = 38,
};

/* log2 of the size in bytes of each fixed-size object. */
#define MICA_TCB_BITS           11
#define MICA_ENDPOINT_BITS      5
#define MICA_NOTIFICATION_BITS  5
#define MICA_SLOT_BITS          6  /* one CNode slot */
#define MICA_PAGE_TABLE_BITS    12 /* all four paging levels, and IO page tables */
#define MICA_FRAME_4K_BITS      12
#define MICA_FRAME_2M_BITS      21

#define MICA_UNTYPED_MIN_BITS   4
#define MICA_UNTYPED_MAX_BITS   47
#define MICA_CNODE_MIN_BITS     1  /* 2 slots */
#define MICA_CNODE_MAX_BITS     24

/* At most this many objects per Untyped_Retype call. */
#define MICA_RETYPE_MAX_OBJECTS 256

#endif
