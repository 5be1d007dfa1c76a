/* Freestanding memory and string helpers (the compiler may call these too). */
#ifndef KERNEL_KSTRING_H
#define KERNEL_KSTRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
/* Zero n bytes at dst; both multiples of 8 (word stores). */
void memzero8(void *dst, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strncmp(const char *a, const char *b, size_t n);
/* Copy at most size-1 bytes and always terminate (when size > 0). */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
