#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "clean.h"
#include "sentname.h"

/* Lower case, as these names need it: ASCII, Latin-1, Latin Extended-A,
 * Greek and Cyrillic capitals. */
static uint32_t
fold(uint32_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7) ||
	    (c >= 0x391 && c <= 0x3ab && c != 0x3a2) || (c >= 0x410 && c <= 0x42f))
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	if (c == 0x386)
		return 0x3ac;
	if (c >= 0x388 && c <= 0x38a)
		return c + 0x25;
	if (c == 0x38c)
		return 0x3cc;
	if (c == 0x38e || c == 0x38f)
		return c + 0x3f;
	if (c == 0x3c2)
		return 0x3c3;   /* final sigma */
	/* Latin Extended-A: pairs, capital first, except from U+0139 to
	 * U+0148 and from U+0179 to U+017E, where the capital is odd. */
	if ((c >= 0x100 && c <= 0x137 && c % 2 == 0) || (c >= 0x14a && c <= 0x177 && c % 2 == 0) ||
	    (c >= 0x139 && c <= 0x148 && c % 2 == 1) || (c >= 0x179 && c <= 0x17e && c % 2 == 1))
		return c + 1;
	if (c == 0x178)
		return 0xff;
	return c;
}

/* The next code point of s (a byte that is not UTF-8 stands for itself). */
static uint32_t
next(const unsigned char **s)
{
	const unsigned char *p = *s;
	int len = clean_utf8_len(p);
	uint32_t c;

	switch (len) {
	case 2: c = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f); break;
	case 3: c = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f); break;
	case 4: c = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
		    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f); break;
	default: c = p[0]; len = 1; break;
	}
	*s = p + len;
	return c;
}

/* Whether s (n bytes) and t (NUL-terminated) are the same without case. */
static int
same(const char *s, size_t n, const char *t)
{
	const unsigned char *a = (const unsigned char *)s, *end = a + n;
	const unsigned char *b = (const unsigned char *)t;

	while (a < end && *b != '\0')
		if (fold(next(&a)) != fold(next(&b)))
			return 0;
	return a >= end && *b == '\0';
}

/* The names, likeliest first (the rank is the index plus one). The first
 * are what Thunderbird, Outlook, Apple Mail, Gmail and the webmails call
 * the folder in English; then other languages, by how much mail they
 * carry. */
static const char *const names[] = {
	"Sent", "Sent Items", "Sent Messages", "Sent Mail", "Sent-Mail", "Sent Email",
	"Gesendet", "Gesendete Elemente", "Gesendete Objekte", "Gesendete Nachrichten",
	"Envoyés", "Éléments envoyés", "Messages envoyés",
	"Enviados", "Elementos enviados", "Mensajes enviados",
	"Itens enviados", "Mensagens enviadas",
	"Posta inviata", "Inviati", "Elementi inviati", "Messaggi inviati",
	"Verzonden", "Verzonden items", "Verzonden berichten",
	"Skickat", "Skickade", "Skickade objekt", "Skickade meddelanden",
	"Sendt", "Sendte", "Sendte elementer", "Sendt post",
	"Lähetetyt", "Lähetetyt kohteet", "Lähetetyt viestit",
	"Wysłane", "Elementy wysłane", "Wiadomości wysłane",
	"Odeslaná pošta", "Odeslané", "Odeslané položky",
	"Elküldött", "Elküldött elemek", "Trimise", "Elemente trimise",
	"Gönderilmiş Öğeler", "Gönderilenler",
	"Отправленные", "Надіслані", "Изпратени",
	"Απεσταλμένα",
	"送信済み", "送信済みアイテム", "已发送", "已發送", "已傳送", "已发送邮件",
	"보낸 편지함",
};

static const char *const parents[] = { "INBOX", "[Gmail]", "[Google Mail]" };

static unsigned
rank_of(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (same(s, n, names[i]))
			return (unsigned)i + 1;
	return 0;
}

unsigned
sentname_rank(const char *name, char sep, const char *prefix)
{
	size_t len = strlen(name), plen = prefix != NULL ? strlen(prefix) : 0;
	unsigned r;

	if ((r = rank_of(name, len)) != 0)
		return r;
	/* The personal namespace: "INBOX.Sent Items" on Courier and Cyrus. */
	if (plen > 0 && plen < len && same(name, plen, prefix) &&
	    (r = rank_of(name + plen, len - plen)) != 0)
		return r;
	/* Under INBOX where NAMESPACE did not say so ("INBOX/Sent"), or under
	 * Gmail's own parent, for a Gmail that flags nothing. */
	for (size_t i = 0; sep != '\0' && i < sizeof parents / sizeof parents[0]; i++) {
		size_t k = strlen(parents[i]);

		if (len > k + 1 && same(name, k, parents[i]) && name[k] == sep &&
		    (r = rank_of(name + k + 1, len - k - 1)) != 0)
			return r;
	}
	return 0;
}

size_t
sentname_pick(const struct sentname_folder *v, size_t n, const char *prefix,
    size_t *other)
{
	size_t best = (size_t)-1;
	unsigned best_rank = 0, other_rank = 0;

	*other = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		unsigned r = v[i].name != NULL ? sentname_rank(v[i].name, v[i].sep, prefix) : 0;

		if (r == 0)
			continue;
		if (best_rank == 0 || r < best_rank) {
			*other = best;
			other_rank = best_rank;
			best = i;
			best_rank = r;
		} else if (other_rank == 0 || r < other_rank) {
			*other = i;
			other_rank = r;
		}
	}
	return best;
}
