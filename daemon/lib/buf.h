/* buf: a growable, always NUL-terminated byte string. */
#ifndef FOLLOWUPD_BUF_H
#define FOLLOWUPD_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;   /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
};

/* Appends; on allocation failure the process aborts (nothing useful can go on). */
void buf_append(struct buf *b, const char *s, size_t n);
/* Makes room for n bytes in all, exactly, when there is less. */
void buf_reserve(struct buf *b, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Returns the string ("" when empty); it stays owned by the buffer. */
const char *buf_str(const struct buf *b);
/* Hands the string to the caller (never NULL) and empties the buffer. */
char *buf_take(struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* Allocation helpers that abort on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
