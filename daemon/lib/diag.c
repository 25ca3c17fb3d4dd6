#include <stdarg.h>
#include <sysexits.h>

#include "diag.h"

void
diag_add(struct diag *d, const char *file, int line, int status,
    const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		buf_printf(&d->text, "%s:%d: ", file, line);
	else
		buf_printf(&d->text, "%s: ", file);
	va_start(ap, fmt);
	buf_vprintf(&d->text, fmt, ap);
	va_end(ap);
	buf_putc(&d->text, '\n');
	d->count++;
	if (d->status != EX_CONFIG)
		d->status = status;
}

void
diag_free(struct diag *d)
{
	buf_free(&d->text);
	d->count = 0;
	d->status = 0;
}
