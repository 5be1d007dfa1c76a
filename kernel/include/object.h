/*
 * Object life cycle hooks, dispatched on the capability type: creating an
 * object in retyped memory and finalising it when its last capability goes.
 */
#ifndef KERNEL_OBJECT_H
#define KERNEL_OBJECT_H

#include <cap.h>
#include <stdbool.h>

/* log2 of an object's size in bytes, or 0 if type/size_bits are invalid. */
unsigned object_size_bits(unsigned mica_type, unsigned size_bits);

/* Initialise a new object of mica_type at paddr (memory already zeroed
 * unless device) and return the capability that names it. */
struct cap object_create(unsigned mica_type, uint64_t paddr, unsigned size_bits, bool device);

/* Objects that hold capability slots (CNodes, TCBs): the physical address
 * of their slot array and log2 of its length. False for other objects. */
bool object_slots(const struct cap *cap, uint64_t *slots_paddr, unsigned *count_bits);

/* Any capability is being deleted (final or not): undo what the cap itself
 * holds, such as the one mapping a frame cap describes. */
void object_cap_deleted(struct cap *cap);

/* Release whatever else the object holds, once its last cap is gone
 * (slots are emptied and waiters cancelled separately, by the caller,
 * in preemptible steps: cnode.c). */
void object_finalise(const struct cap *cap);

#endif
