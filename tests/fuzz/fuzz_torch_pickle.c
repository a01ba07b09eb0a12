/* fuzz_torch_pickle.c — libFuzzer target: arbitrary bytes as the data.pkl of a torch.save zip.
 *
 * The input is wrapped in a well-formed archive (archive/data.pkl, byteorder, version, and four
 * 64-byte storages "0".."3"), so every execution reaches the restricted unpickler: opcodes,
 * memo, persistent ids, _rebuild_tensor_v2 views and the allow list of globals. Seeds are
 * data.pkl files of real small state dicts whose storages are all 64 bytes. */
#include "fuzz_common.h"
#include "zip_writer.h"

#define FUZZ_STORAGE_BYTES 64

/* One libFuzzer execution: never crashes; abort() marks a broken property. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t storage[FUZZ_STORAGE_BYTES]; /* [64] float32 0, 0.25, 0.5, … */
    for (int i = 0; i < FUZZ_STORAGE_BYTES / 4; i++) {
        float f = 0.25f * (float)i;
        memcpy(storage + 4 * i, &f, 4);
    }
    const zw_entry entries[] = {
        {"archive/data.pkl", data, size},
        {"archive/byteorder", "little", 6},
        {"archive/data/0", storage, sizeof storage},
        {"archive/data/1", storage, sizeof storage},
        {"archive/data/2", storage, sizeof storage},
        {"archive/data/3", storage, sizeof storage},
        {"archive/version", "3\n", 2},
    };
    size_t zip_size = 0;
    uint8_t *zip = zw_build(entries, (int)(sizeof entries / sizeof entries[0]), &zip_size);
    if (!zip) return 0;
    fuzz_check_tensor_file(zip, zip_size);
    free(zip);
    return 0;
}
