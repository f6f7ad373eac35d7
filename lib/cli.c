/* lib/cli.c — see cli.h. */
#include "cli.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- describing an option ------------------------------------------------------------ */

/* The word standing for the value in --help: "--epochs N". */
static const char *value_placeholder(OptionKind kind)
{
    switch (kind) {
    case OPTION_INT:
    case OPTION_SIZE: return "N";
    case OPTION_DOUBLE: return "X";
    case OPTION_STRING: return "TEXT";
    case OPTION_SIZE_LIST: return "N,N,...";
    case OPTION_FLAG: break;
    }
    return "";
}

static bool has_range(const Option *option)
{
    bool numeric = option->kind == OPTION_INT || option->kind == OPTION_SIZE || option->kind == OPTION_DOUBLE
                   || option->kind == OPTION_SIZE_LIST;
    return numeric && !(option->min == 0.0 && option->max == 0.0);
}

/* One end of a range: whole numbers for integer options, %g for doubles. */
static void format_bound(char *buffer, size_t size, const Option *option, double bound)
{
    if (option->kind == OPTION_DOUBLE || isinf(bound))
        snprintf(buffer, size, "%g", bound);
    else
        snprintf(buffer, size, "%.0f", bound);
}

/* The range in interval notation: "[1, 784]", or "[0, inf)" for an open end. */
static void format_range(char *buffer, size_t size, const Option *option)
{
    char low[40], high[40];
    format_bound(low, sizeof low, option, option->min);
    format_bound(high, sizeof high, option, option->max);
    snprintf(buffer, size, "%s%s, %s%s", isinf(option->min) ? "(" : "[", low, high,
             isinf(option->max) ? ")" : "]");
}

void size_list_format(char *buffer, size_t size, const SizeList *list)
{
    size_t used = 0;
    buffer[0] = '\0';
    for (size_t k = 0; k < list->count && used < size; k++) {
        int written = snprintf(buffer + used, size - used, k ? ",%zu" : "%zu", list->values[k]);
        used += written > 0 ? (size_t)written : 0;
    }
}

/* The option's current value as text (the default, when called before parsing). */
static void format_value(char *buffer, size_t size, const Option *option)
{
    switch (option->kind) {
    case OPTION_INT: snprintf(buffer, size, "%d", *(const int *)option->value); return;
    case OPTION_SIZE: snprintf(buffer, size, "%zu", *(const size_t *)option->value); return;
    case OPTION_DOUBLE: snprintf(buffer, size, "%g", *(const double *)option->value); return;
    case OPTION_STRING: {
        const char *text = *(const char *const *)option->value;
        snprintf(buffer, size, "%s", text ? text : "none");
        return;
    }
    case OPTION_FLAG: snprintf(buffer, size, "%s", *(const bool *)option->value ? "on" : "off"); return;
    case OPTION_SIZE_LIST: size_list_format(buffer, size, option->value); return;
    }
    buffer[0] = '\0';
}

/* ---- help -------------------------------------------------------------------------------- */

static const char *program_name(int argc, char **argv)
{
    if (argc < 1 || !argv[0] || !argv[0][0])
        return "program";
    const char *slash = strrchr(argv[0], '/');
    return slash ? slash + 1 : argv[0];
}

/* "--epochs N" into buffer; returns its length. */
static size_t format_synopsis(char *buffer, size_t size, const Option *option)
{
    const char *placeholder = value_placeholder(option->kind);
    int length = snprintf(buffer, size, "--%s%s%s", option->name, placeholder[0] ? " " : "", placeholder);
    return length > 0 ? (size_t)length : 0;
}

/* The help, with `operands` ("SUITE...", or NULL) after "[options]" in the usage line. */
static void print_help(FILE *out, const char *program, const char *operands, const char *description,
                       const Option *options, size_t count)
{
    enum { MAX_COLUMN = 28 };
    char synopsis[96], value[256], range[96];
    size_t column = strlen("-h, --help");
    for (size_t i = 0; i < count; i++) {
        size_t length = format_synopsis(synopsis, sizeof synopsis, &options[i]);
        column = length > column ? length : column;
    }
    column = column < MAX_COLUMN ? column : MAX_COLUMN;

    fprintf(out, "usage: %s [options]%s%s\n", program, operands ? " " : "", operands ? operands : "");
    if (description)
        fprintf(out, "%s\n", description);
    fprintf(out, "\noptions:\n");
    for (size_t i = 0; i < count; i++) {
        const Option *option = &options[i];
        format_synopsis(synopsis, sizeof synopsis, option);
        format_value(value, sizeof value, option);
        fprintf(out, "  %-*s  %s", (int)column, synopsis, option->help ? option->help : "");
        bool no_default = option->kind == OPTION_STRING && !*(const char *const *)option->value;
        if (option->kind == OPTION_FLAG) {
            if (*(const bool *)option->value)
                fprintf(out, " (default on)");
        } else if (no_default) {
            /* nothing: the option's help says what happens without it */
        } else if (has_range(option)) {
            format_range(range, sizeof range, option);
            fprintf(out, " (default %s, range %s)", value, range);
        } else {
            fprintf(out, " (default %s)", value);
        }
        fputc('\n', out);
    }
    fprintf(out, "  %-*s  %s\n", (int)column, "-h, --help", "show this help and exit");
}

void cli_print_help(FILE *out, const char *program, const char *description,
                    const Option *options, size_t count)
{
    print_help(out, program, NULL, description, options, count);
}

/* ---- parsing one value ------------------------------------------------------------------- */

static bool check_range(const Option *option, double value, const char *text, Error *err)
{
    if (!has_range(option) || (value >= option->min && value <= option->max))
        return true;
    char range[96];
    format_range(range, sizeof range, option);
    return error_set(err, "--%s: %s is out of range %s", option->name, text, range);
}

/* strtol and friends skip leading blanks and accept an empty string as 0; we do not. */
static bool starts_like_a_number(const char *text)
{
    return text[0] != '\0' && !isspace((unsigned char)text[0]);
}

/* A number too large (or small) for its C type: the option's range says what fits. */
static bool out_of_type_range(const Option *option, const char *text, const char *type, Error *err)
{
    if (!has_range(option))
        return error_set(err, "--%s: %s does not fit in %s", option->name, text, type);
    char range[96];
    format_range(range, sizeof range, option);
    return error_set(err, "--%s: %s is out of range %s", option->name, text, range);
}

static bool parse_int(const Option *option, const char *text, Error *err)
{
    char *end;
    errno = 0;
    long parsed = strtol(text, &end, 10);
    if (!starts_like_a_number(text) || *end != '\0')
        return error_set(err, "--%s: '%s' is not an integer", option->name, text);
    if (errno == ERANGE || parsed < INT_MIN || parsed > INT_MAX)
        return out_of_type_range(option, text, "an int", err);
    if (!check_range(option, (double)parsed, text, err))
        return false;
    *(int *)option->value = (int)parsed;
    return true;
}

static bool parse_size(const Option *option, const char *text, Error *err)
{
    /* strtoull would quietly turn "-1" into 18446744073709551615: refuse the sign first,
     * naming the option's range when it has one. */
    bool negative_integer = text[0] == '-' && text[1] && strspn(text + 1, "0123456789") == strlen(text + 1);
    if (negative_integer && has_range(option))
        return check_range(option, -1.0, text, err);
    if (negative_integer)
        return error_set(err, "--%s: %s is negative; it must be 0 or more", option->name, text);
    if (text[0] == '-')
        return error_set(err, "--%s: '%s' is not an integer", option->name, text);
    char *end;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (!starts_like_a_number(text) || *end != '\0')
        return error_set(err, "--%s: '%s' is not an integer", option->name, text);
    if (errno == ERANGE || parsed > SIZE_MAX)
        return out_of_type_range(option, text, "a size_t", err);
    if (!check_range(option, (double)parsed, text, err))
        return false;
    *(size_t *)option->value = (size_t)parsed;
    return true;
}

static bool parse_double(const Option *option, const char *text, Error *err)
{
    char *end;
    double parsed = strtod(text, &end);
    if (!starts_like_a_number(text) || *end != '\0')
        return error_set(err, "--%s: '%s' is not a number", option->name, text);
    if (!isfinite(parsed)) /* "nan", "inf", or too large such as 1e999 */
        return error_set(err, "--%s: '%s' is not a finite number", option->name, text);
    if (!check_range(option, parsed, text, err))
        return false;
    *(double *)option->value = parsed;
    return true;
}

/* "2,8,32": each value read as an OPTION_SIZE with the option's name and range (so its
 * errors read like every other count's), then the list's own rules: no empty item, at
 * most SIZE_LIST_MAX values, strictly increasing. */
static bool parse_size_list(const Option *option, const char *text, Error *err)
{
    SizeList list = { .count = 0 };
    size_t value;
    Option item = *option;
    item.kind = OPTION_SIZE;
    item.value = &value;
    for (const char *start = text;;) {
        size_t length = strcspn(start, ",");
        char piece[32];
        if (length == 0 || length >= sizeof piece)
            return error_set(err, "--%s: '%s' is not a comma-separated list of whole numbers, such as 2,8,32",
                             option->name, text);
        memcpy(piece, start, length);
        piece[length] = '\0';
        if (!parse_size(&item, piece, err))
            return false;
        if (list.count == SIZE_LIST_MAX)
            return error_set(err, "--%s: at most %d values", option->name, SIZE_LIST_MAX);
        if (list.count > 0 && value <= list.values[list.count - 1])
            return error_set(err, "--%s: list the values in increasing order, such as 2,8,32", option->name);
        list.values[list.count++] = value;
        if (start[length] == '\0')
            break;
        start += length + 1;
    }
    *(SizeList *)option->value = list;
    return true;
}

static bool parse_value(const Option *option, const char *text, Error *err)
{
    if (option->kind == OPTION_STRING && text[0] == '\0') /* --data '': never "the default" in disguise */
        return error_set(err, "--%s: the value is empty", option->name);
    switch (option->kind) {
    case OPTION_INT: return parse_int(option, text, err);
    case OPTION_SIZE: return parse_size(option, text, err);
    case OPTION_DOUBLE: return parse_double(option, text, err);
    case OPTION_STRING: *(const char **)option->value = text; return true;
    case OPTION_FLAG: *(bool *)option->value = true; return true;
    case OPTION_SIZE_LIST: return parse_size_list(option, text, err);
    }
    return error_set(err, "--%s: unknown option kind", option->name);
}

/* ---- finding an option by name -------------------------------------------------------- */

/* The option called name[0..length), or NULL. */
static const Option *find_option(const Option *options, size_t count, const char *name, size_t length)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(options[i].name) == length && strncmp(options[i].name, name, length) == 0)
            return &options[i];
    return NULL;
}

/* Levenshtein distance (insertions, deletions, substitutions) of two short names; names
 * too long for the table count as very far apart. */
static size_t edit_distance(const char *a, size_t a_length, const char *b)
{
    enum { LONGEST = 63 };
    size_t b_length = strlen(b);
    if (a_length > LONGEST || b_length > LONGEST)
        return SIZE_MAX;
    size_t previous[LONGEST + 1], current[LONGEST + 1]; /* distances to prefixes of b */
    for (size_t j = 0; j <= b_length; j++)
        previous[j] = j;
    for (size_t i = 1; i <= a_length; i++) {
        current[0] = i;
        for (size_t j = 1; j <= b_length; j++) {
            size_t substitute = previous[j - 1] + (a[i - 1] != b[j - 1]);
            size_t remove = previous[j] + 1, insert = current[j - 1] + 1;
            size_t best = substitute < remove ? substitute : remove;
            current[j] = best < insert ? best : insert;
        }
        memcpy(previous, current, sizeof previous);
    }
    return previous[b_length];
}

/* The known name a mistyped one most likely meant: the only one it is a prefix of, or
 * the single closest one within two edits (and closer than the typo is long); or NULL. */
static const char *suggest_name(const Option *options, size_t count, const char *name, size_t length)
{
    const char *prefix_match = NULL, *closest = NULL;
    size_t prefix_matches = 0, best = SIZE_MAX, best_count = 0;
    for (size_t i = 0; i <= count; i++) {
        const char *known = i < count ? options[i].name : "help";
        if (length > 0 && strncmp(known, name, length) == 0) {
            prefix_match = known;
            prefix_matches++;
        }
        size_t distance = edit_distance(name, length, known);
        if (distance < best) {
            best = distance;
            closest = known;
            best_count = 1;
        } else if (distance == best) {
            best_count++;
        }
    }
    if (prefix_matches == 1)
        return prefix_match;
    if (best <= 2 && best < length && best_count == 1)
        return closest;
    return NULL;
}

static bool unknown_option(const Option *options, size_t count, const char *name, size_t length, Error *err)
{
    const char *suggestion = suggest_name(options, count, name, length);
    if (suggestion)
        return error_set(err, "unknown option --%.*s (did you mean --%s?)", (int)length, name, suggestion);
    return error_set(err, "unknown option --%.*s (--help lists the options)", (int)length, name);
}

/* ---- the command line -------------------------------------------------------------------- */

static bool asks_for_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

/* Handle argv[*index] (an option), consuming the next argument too if it is its value.
 * given[k] says whether options[k] was already on the command line: an option given
 * twice is refused, since which of its values would win is a guess. */
static bool parse_argument(int argc, char **argv, int *index, const Option *options, size_t count, bool *given,
                           Error *err)
{
    const char *argument = argv[*index];
    if (strncmp(argument, "--", 2) != 0 || argument[2] == '\0')
        return error_set(err, "unexpected argument '%s' (options look like --name value)", argument);
    const char *name = argument + 2;
    const char *equals = strchr(name, '=');
    size_t length = equals ? (size_t)(equals - name) : strlen(name);
    const Option *option = find_option(options, count, name, length);
    if (!option)
        return unknown_option(options, count, name, length, err);
    if (given[option - options])
        return error_set(err, "--%s is given twice: give each option once", option->name);
    given[option - options] = true;
    if (option->kind == OPTION_FLAG) {
        if (equals)
            return error_set(err, "--%s is a flag and takes no value", option->name);
        return parse_value(option, "", err);
    }
    const char *value = equals ? equals + 1 : NULL;
    if (!equals && *index + 1 < argc && strncmp(argv[*index + 1], "--", 2) != 0)
        value = argv[++*index]; /* "--name value"; a following "--other" is not a value */
    if (!value)
        return error_set(err, "--%s needs a value", option->name);
    return parse_value(option, value, err);
}

/* cli_parse, and with `operands` (not NULL) the first argument that is not an option ends
 * the options: it and all after it are the operands. */
static CliResult parse(int argc, char **argv, const char *description, const Option *options, size_t count,
                       CliOperands *operands, Error *err)
{
    for (size_t i = 0; i < count; i++)
        assert(options[i].name && options[i].value && "every option needs a name and a variable");
    /* Help first, so that it shows the defaults and works even next to a mistake. */
    if (asks_for_help(argc, argv)) {
        print_help(stdout, program_name(argc, argv), operands ? operands->synopsis : NULL, description, options,
                   count);
        return CLI_HELP;
    }
    enum { MAX_OPTIONS = 64 };
    bool given[MAX_OPTIONS] = { false };
    assert(count <= MAX_OPTIONS);
    int i = 1;
    for (; i < argc && !(operands && strncmp(argv[i], "--", 2) != 0); i++)
        if (!parse_argument(argc, argv, &i, options, count, given, err))
            return CLI_ERROR;
    if (operands) {
        operands->values = argv + i;
        operands->count = (size_t)(argc - i);
    }
    return CLI_OK;
}

CliResult cli_parse(int argc, char **argv, const char *description, const Option *options,
                    size_t count, Error *err)
{
    return parse(argc, argv, description, options, count, NULL, err);
}

CliResult cli_parse_operands(int argc, char **argv, const char *description, const Option *options, size_t count,
                             CliOperands *operands, Error *err)
{
    return parse(argc, argv, description, options, count, operands, err);
}
