/*
 * Character classes of the C locale, for parsers of untrusted text.
 *
 * The <ctype.h> functions depend on the locale and are undefined for a
 * negative char; these take any int (a char, an unsigned char, a uint8_t)
 * and answer for ASCII only.
 */
#ifndef HEARTCHECK_UTIL_ASCII_H
#define HEARTCHECK_UTIL_ASCII_H

static inline int is_digit(int c)
{
	return c >= '0' && c <= '9';
}
static inline int is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}
static inline int is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}
static inline int is_alpha(int c)
{
	return is_lower(c) || is_upper(c);
}
static inline int is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

/* Space, tab and carriage return: what separates fields within a line. */
static inline int is_hspace(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* isspace() of the C locale. */
static inline int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

/* The value of a hexadecimal digit of either case, or -1. */
static inline int hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
