/* Text safety and display width: control, escape and bidi characters become
 * visible escapes, widths follow wcwidth(), columns are fitted with "…", and
 * money is formatted and parsed in integer cents. No ncurses here. */
#include <ctype.h>
#include "kontor/text.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "kontor/strbuf.h"
#include "kontor/xalloc.h"

#define TEXT_ELLIPSIS "\xe2\x80\xa6" /* U+2026, one column */

/* One unit of display: either input bytes passed through or an escape. */
struct text_piece {
    const char *bytes;
    size_t len;
    int width;
    char esc[12];
};

size_t text_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c, min;
    size_t n;

    if (len == 0)
        return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if (u[0] >= 0xc2 && u[0] <= 0xdf) {
        n = 2, c = u[0] & 0x1f, min = 0x80;
    } else if ((u[0] & 0xf0) == 0xe0) {
        n = 3, c = u[0] & 0x0f, min = 0x800;
    } else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
        n = 4, c = u[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (u[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

/* Trojan-source characters: they reorder what follows them on screen. */
static bool text_is_bidi_control(uint32_t cp)
{
    return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The escape has been written into p->esc; it is ASCII, one column a byte. */
static void text_piece_use_escape(struct text_piece *p)
{
    p->bytes = p->esc;
    p->len = strlen(p->esc);
    p->width = (int)p->len;
}

/* Reads the next piece of s (avail > 0 bytes left); returns the bytes used. */
static size_t text_piece_next(const char *s, size_t avail, struct text_piece *p)
{
    uint32_t cp;
    size_t n = text_utf8_decode(s, avail, &cp);

    if (n == 0) {
        snprintf(p->esc, sizeof(p->esc), "<%02x>", (unsigned char)s[0]);
        text_piece_use_escape(p);
        return 1;
    }
    if (cp < 0x20 || cp == 0x7f) {
        snprintf(p->esc, sizeof(p->esc), "^%c", cp == 0x7f ? '?' : (char)(cp + 0x40));
        text_piece_use_escape(p);
    } else if (cp >= 0x80 && cp <= 0x9f) {
        snprintf(p->esc, sizeof(p->esc), "<%02x>", (unsigned)cp);
        text_piece_use_escape(p);
    } else if (text_is_bidi_control(cp)) {
        snprintf(p->esc, sizeof(p->esc), "<U+%04X>", (unsigned)cp);
        text_piece_use_escape(p);
    } else {
        int w = wcwidth((wchar_t)cp);

        p->bytes = s;
        p->len = n;
        p->width = w < 0 ? 1 : w;
    }
    return n;
}

char *text_sanitize(const char *in)
{
    struct strbuf sb = STRBUF_INIT;
    struct text_piece p;
    size_t len = in != NULL ? strlen(in) : 0;

    for (size_t i = 0; i < len;) {
        i += text_piece_next(in + i, len - i, &p);
        strbuf_add(&sb, p.bytes, p.len);
    }
    return strbuf_detach(&sb);
}

int text_width(const char *utf8)
{
    struct text_piece p;
    size_t len = utf8 != NULL ? strlen(utf8) : 0;
    int width = 0;

    for (size_t i = 0; i < len;) {
        i += text_piece_next(utf8 + i, len - i, &p);
        if (width <= INT_MAX - p.width)
            width += p.width;
    }
    return width;
}

static void text_add_spaces(struct strbuf *sb, int n)
{
    for (int i = 0; i < n; i++)
        strbuf_addch(sb, ' ');
}

/* Keeps whole pieces while they fit in cols - 1 columns, then the ellipsis.
 * A zero-width piece stays only with the base it follows. */
static void text_add_cut(struct strbuf *sb, const char *s, int cols)
{
    struct text_piece p;
    size_t len = strlen(s);
    int used = 0, budget = cols - 1;

    for (size_t i = 0; i < len;) {
        i += text_piece_next(s + i, len - i, &p);
        if (used + p.width > budget)
            break;
        strbuf_add(sb, p.bytes, p.len);
        used += p.width;
    }
    text_add_spaces(sb, budget - used);
    strbuf_addstr(sb, TEXT_ELLIPSIS);
}

char *text_fit(const char *utf8, int cols, enum text_align align)
{
    struct strbuf sb = STRBUF_INIT;
    const char *s = utf8 != NULL ? utf8 : "";
    int width, left;

    if (cols <= 0)
        return xstrdup("");
    width = text_width(s);
    if (width > cols) {
        text_add_cut(&sb, s, cols);
        return strbuf_detach(&sb);
    }
    left = align == TEXT_ALIGN_RIGHT ? cols - width
           : align == TEXT_ALIGN_CENTER ? (cols - width) / 2
                                        : 0;
    text_add_spaces(&sb, left);
    char *clean = text_sanitize(s);
    strbuf_addstr(&sb, clean);
    free(clean);
    text_add_spaces(&sb, cols - width - left);
    return strbuf_detach(&sb);
}

char *text_money(long long cents, bool grouping)
{
    unsigned long long mag = cents < 0 ? 0ULL - (unsigned long long)cents
                                       : (unsigned long long)cents;
    struct strbuf sb = STRBUF_INIT;
    char digits[32];
    size_t n;

    n = (size_t)snprintf(digits, sizeof(digits), "%llu", mag / 100);
    if (cents < 0)
        strbuf_addch(&sb, '-');
    for (size_t i = 0; i < n; i++) {
        if (grouping && i > 0 && (n - i) % 3 == 0)
            strbuf_addch(&sb, ',');
        strbuf_addch(&sb, digits[i]);
    }
    strbuf_addf(&sb, ".%02llu", mag % 100);
    return strbuf_detach(&sb);
}

/* Money parsing: the input is split into sign, integer part and fraction,
 * then each is checked; errors quote the (sanitized) input. */
struct text_money_parse {
    const char *in;
    char dec, grp;
    const char *int_start, *int_end, *frac_start, *frac_end;
};

static bool text_money_fail(const struct text_money_parse *mp, char **err, const char *why)
{
    char *clean = text_sanitize(mp->in);

    *err = xasprintf("'%s' %s", clean, why);
    free(clean);
    return false;
}

static bool text_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static size_t text_count_digits(const char *s, const char *end)
{
    size_t n = 0;

    while (s + n < end && text_is_digit(s[n]))
        n++;
    return n;
}

/* German style when the last separator is a comma followed by 1-2 digits. */
static void text_money_pick_separators(struct text_money_parse *mp, const char *s,
                                       const char *end)
{
    const char *last = NULL;
    size_t tail;

    for (const char *p = s; p < end; p++)
        if (*p == '.' || *p == ',')
            last = p;
    mp->dec = '.', mp->grp = ',';
    if (last == NULL || *last != ',')
        return;
    tail = text_count_digits(last + 1, end);
    if (last + 1 + tail == end && tail >= 1 && tail <= 2)
        mp->dec = ',', mp->grp = '.';
}

/* Integer digits with optional thousands separators: 1-3 digits, then
 * groups of exactly 3. Only digits and separators get this far. */
static bool text_money_check_int(const struct text_money_parse *mp, char **err)
{
    const char *p = mp->int_start;

    if (memchr(p, mp->grp, (size_t)(mp->int_end - p)) == NULL)
        return true;
    for (bool first = true;; first = false) {
        size_t n = text_count_digits(p, mp->int_end);

        if (n == 0 || n > 3 || (!first && n != 3))
            return text_money_fail(mp, err, "has a misplaced thousands separator");
        p += n;
        if (p == mp->int_end)
            return true;
        p++; /* the separator */
    }
}

static bool text_money_split(struct text_money_parse *mp, const char *s, const char *end,
                             char **err)
{
    const char *dp = memchr(s, mp->dec, (size_t)(end - s));

    for (const char *p = s; p < end; p++)
        if (!text_is_digit(*p) && *p != '.' && *p != ',')
            return text_money_fail(mp, err, "is not an amount (use digits, e.g. 12.50)");
    mp->int_start = s;
    mp->int_end = dp != NULL ? dp : end;
    mp->frac_start = mp->frac_end = mp->int_end;
    if (dp == NULL)
        return true;
    mp->frac_start = dp + 1;
    mp->frac_end = end;
    if (memchr(mp->frac_start, mp->dec, (size_t)(end - mp->frac_start)) != NULL)
        return text_money_fail(mp, err, "has more than one decimal separator");
    if (memchr(mp->frac_start, mp->grp, (size_t)(end - mp->frac_start)) != NULL)
        return text_money_fail(mp, err, "has a thousands separator after the decimals");
    if (end - mp->frac_start > 2)
        return text_money_fail(mp, err, "has more than two decimal places");
    if (end == mp->frac_start)
        return text_money_fail(mp, err, "needs one or two digits after the decimal separator");
    return true;
}

static bool text_money_value(const struct text_money_parse *mp, bool neg, long long *cents,
                             char **err)
{
    long long v = 0, frac = 0;

    for (const char *p = mp->int_start; p < mp->int_end; p++) {
        if (!text_is_digit(*p))
            continue;
        if (v > (LLONG_MAX - (*p - '0')) / 10)
            return text_money_fail(mp, err, "is too large an amount");
        v = v * 10 + (*p - '0');
    }
    for (const char *p = mp->frac_start; p < mp->frac_start + 2; p++)
        frac = frac * 10 + (p < mp->frac_end ? *p - '0' : 0);
    if (v > (LLONG_MAX - frac) / 100)
        return text_money_fail(mp, err, "is too large an amount");
    *cents = neg ? -(v * 100 + frac) : v * 100 + frac;
    return true;
}

bool text_parse_money(const char *in, long long *cents, char **err)
{
    struct text_money_parse mp = { .in = in != NULL ? in : "" };
    const char *s = mp.in, *end;
    bool neg = false;

    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (s < end && (*s == '-' || *s == '+'))
        neg = *s++ == '-';
    if (s == end)
        return text_money_fail(&mp, err, "is not an amount (use digits, e.g. 12.50)");
    text_money_pick_separators(&mp, s, end);
    if (!text_money_split(&mp, s, end, err) || !text_money_check_int(&mp, err))
        return false;
    if (mp.int_start == mp.int_end && mp.frac_start == mp.frac_end)
        return text_money_fail(&mp, err, "is not an amount (use digits, e.g. 12.50)");
    return text_money_value(&mp, neg, cents, err);
}

size_t text_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

bool text_is_typeable(int cp)
{
    return cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f) &&
           !(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069) &&
           !(cp >= 0xd800 && cp <= 0xdfff) && cp < 0x110000;
}

void text_copy(char *dst, size_t n, const char *src)
{
    size_t len;

    if (n == 0)
        return;
    src = src != NULL ? src : "";
    len = strlen(src);
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

void text_copy_trim(char *dst, size_t n, const char *src)
{
    size_t len;

    src = src != NULL ? src : "";
    src += strspn(src, " \t\r\n");
    text_copy(dst, n, src);
    len = strlen(dst);
    while (len > 0 && isspace((unsigned char)dst[len - 1]))
        dst[--len] = '\0';
}
