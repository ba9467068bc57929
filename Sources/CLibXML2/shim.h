// The parts of libxml2 Vigil uses, with the settings it always wants: no network, no
// messages on stderr, no external entities. Each helper is small and has no state of its own.
#ifndef VIGIL_LIBXML2_SHIM_H
#define VIGIL_LIBXML2_SHIM_H

// Debian builds libxml2 with ICU, whose headers clash with the ICU copy inside Foundation.
// Only xmlCharEncodingHandler's private fields depend on it, and Vigil never touches them.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <string.h>

static void vigil_xml_ignore_generic(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

/// Keeps libxml2 quiet on this thread: its default handlers write every parse and XPath
/// error to stderr, and the handlers are per thread.
static inline void vigil_xml_quiet(void) {
    xmlSetGenericErrorFunc(NULL, vigil_xml_ignore_generic);
    xmlSetStructuredErrorFunc(NULL, NULL);
}

/// Once per process, before any thread parses (xmlInitParser is idempotent).
static inline void vigil_xml_init(void) {
    xmlInitParser();
}

/// Parses an HTML document in recovery mode, without network access or messages.
/// `encoding` may be NULL (libxml2 then honours <meta charset> and falls back to Latin-1).
static inline htmlDocPtr vigil_html_read(const char *bytes, int size, const char *url, const char *encoding) {
    vigil_xml_quiet();
    int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET
        | HTML_PARSE_COMPACT;
    return htmlReadMemory(bytes, size, url, encoding, options);
}

/// Parses an XML document without network access, without loading any external DTD or
/// entity, and without substituting entities (entity references stay nodes Vigil skips).
static inline xmlDocPtr vigil_xml_read(const char *bytes, int size) {
    vigil_xml_quiet();
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA
        | XML_PARSE_COMPACT;
    return xmlReadMemory(bytes, size, NULL, NULL, options);
}

/// Frees memory libxml2 allocated (xmlFree is a macro over a per-thread pointer).
static inline void vigil_xml_free(void *pointer) {
    xmlFree(pointer);
}

/// Compiles an XPath expression; on failure returns NULL and writes libxml2's message to
/// `message` (at most `capacity` bytes, NUL-terminated) and the 0-based offset of the
/// problem to `offset` (-1 when libxml2 gives none).
static inline xmlXPathCompExprPtr vigil_xpath_compile(const char *expression, char *message, int capacity,
                                                      int *offset) {
    vigil_xml_quiet();
    xmlResetLastError();
    xmlXPathCompExprPtr compiled = xmlXPathCompile((const xmlChar *)expression);
    if (compiled == NULL && capacity > 0) {
        xmlErrorPtr error = xmlGetLastError();
        const char *text = (error && error->message) ? error->message : "invalid expression";
        snprintf(message, (size_t)capacity, "%s", text);
        *offset = (error && error->domain == XML_FROM_XPATH) ? error->int1 : -1;
        size_t length = strlen(message);
        while (length > 0 && (message[length - 1] == '\n' || message[length - 1] == ' ')) message[--length] = 0;
    }
    return compiled;
}

/// Evaluates a compiled expression with `node` as the context node.
static inline xmlXPathObjectPtr vigil_xpath_eval(xmlXPathCompExprPtr compiled, xmlXPathContextPtr context,
                                                 xmlNodePtr node) {
    context->node = node;
    return xmlXPathCompiledEval(compiled, context);
}

#endif
