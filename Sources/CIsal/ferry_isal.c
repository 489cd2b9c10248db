#include "ferry_isal.h"
#include <stdlib.h>
#include <string.h>

#if __has_include(<isa-l/igzip_lib.h>) && __has_include(<dlfcn.h>)
#include <dlfcn.h>
#include <pthread.h>
#include <isa-l/igzip_lib.h>

struct ferry_isal {
    struct inflate_state state;
};

static void (*init_fn)(struct inflate_state *);
static void (*reset_fn)(struct inflate_state *);
static int (*inflate_fn)(struct inflate_state *);
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
    static const char *names[] = {"libisal.so.2", "libisal.2.dylib", "libisal.so", "libisal.dylib"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        void *library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (library == NULL) continue;
        void *init = dlsym(library, "isal_inflate_init");
        void *reset = dlsym(library, "isal_inflate_reset");
        void *inflate = dlsym(library, "isal_inflate");
        if (init && reset && inflate) {
            init_fn = (void (*)(struct inflate_state *))init;
            reset_fn = (void (*)(struct inflate_state *))reset;
            inflate_fn = (int (*)(struct inflate_state *))inflate;
            return;
        }
        dlclose(library);
    }
}

ferry_isal *ferry_isal_create(void) {
    pthread_once(&load_once, load);
    if (inflate_fn == NULL) return NULL;
    ferry_isal *inflater = malloc(sizeof *inflater);
    if (inflater == NULL) return NULL;
    memset(inflater, 0, sizeof *inflater);
    init_fn(&inflater->state);
    inflater->state.crc_flag = ISAL_GZIP;
    return inflater;
}

void ferry_isal_destroy(ferry_isal *inflater) { free(inflater); }

void ferry_isal_begin_member(ferry_isal *inflater) {
    reset_fn(&inflater->state);
    inflater->state.crc_flag = ISAL_GZIP;
}

ferry_isal_step ferry_isal_inflate(ferry_isal *inflater, const uint8_t *input, uint32_t input_count,
                                   uint8_t *output, uint32_t output_count) {
    struct inflate_state *state = &inflater->state;
    state->next_in = (uint8_t *)input;
    state->avail_in = input_count;
    state->next_out = output;
    state->avail_out = output_count;
    int status = inflate_fn(state);
    ferry_isal_step step = {0, 0, 0, 0};
    uint32_t unused = state->avail_in;
    step.produced = output_count - state->avail_out;
    if (state->block_state == ISAL_BLOCK_FINISH) {
        // The bit reader may hold whole bytes read past the trailer: they belong to what follows.
        if (state->read_in_length > 0) unused += (uint32_t)(state->read_in_length / 8);
        if (unused > input_count) unused = input_count;
        step.member_done = 1;
    }
    step.consumed = input_count - unused;
    if (status == ISAL_NEED_DICT) {
        step.status = FERRY_ISAL_NEED_DICT;
    } else if (status < 0) {
        step.status = status;
    }
    return step;
}

#else

ferry_isal *ferry_isal_create(void) { return NULL; }
void ferry_isal_destroy(ferry_isal *inflater) { (void)inflater; }
void ferry_isal_begin_member(ferry_isal *inflater) { (void)inflater; }
ferry_isal_step ferry_isal_inflate(ferry_isal *inflater, const uint8_t *input, uint32_t input_count,
                                   uint8_t *output, uint32_t output_count) {
    (void)inflater; (void)input; (void)input_count; (void)output; (void)output_count;
    ferry_isal_step step = {0, 0, 0, FERRY_ISAL_INVALID_WRAPPER};
    return step;
}

#endif
