/*
** src/cli/cmd_kmeans_predict.c: `retain kmeans predict MODEL.h5 FILE -o
** OUT.h5`: loads a k-means model, checks the input has the model's
** features in the model's order, and writes /user_id (when the input has
** ids), /segment and /segment_distance, streaming the input in row batches
** so memory stays bounded. The writer is shared with `kmeans fit
** --labels-out`. Under mpirun every rank writes its own rows of the one
** output file (created together through MPI-IO; rank 0 commits it).
*/
#include "cli.h"

#include "core/dist.h"
#include "core/error.h"
#include "io/atomic.h"
#include "io/features.h"
#include "io/h5.h"
#include "io/h5write.h"
#include "io/kmeans_model.h"

#include <stdlib.h>
#include <string.h>

#define BATCH_BYTES (16 << 20)

typedef struct segment_out {
    hid_t file, ids, segment, distance;
} segment_out;

static retain_status create_outputs(segment_out *o, rt_features *f, const char *model_path,
                                    const char *input_path, int64_t k)
{
    int64_t n = rt_features_rows(f);
    retain_status s;
    if (rt_features_has_user_ids(f)) {
        s = rt_features_user_ids_are_strings(f)
                ? rt_h5_strings_create(o->file, "/user_id", n, &o->ids)
                : rt_h5_dataset_create(o->file, "/user_id", H5T_STD_I64LE, n, 0, 0, &o->ids);
        if (s)
            return s;
    }
    if ((s = rt_h5_dataset_create(o->file, "/segment", H5T_STD_I32LE, n, 0, 0, &o->segment)) ||
        (s = rt_h5_dataset_create(o->file, "/segment_distance", H5T_IEEE_F32LE, n, 0, 0,
                                  &o->distance)) ||
        (s = rt_h5_attr_set_string(o->file, "model", model_path)) ||
        (s = rt_h5_attr_set_string(o->file, "model_kind", "kmeans")) ||
        (s = rt_h5_attr_set_string(o->file, "input", input_path)) ||
        (s = rt_h5_attr_set_string(o->file, "input_dataset", rt_features_source(f))) ||
        (s = rt_h5_attr_set_string(o->file, "engine_version", retain_version())) ||
        (s = rt_h5_attr_set_int64(o->file, "segments", k)) ||
        (s = rt_h5_attr_set_string(o->segment, "numbering",
                                   "segments by training size, largest first (0-based)")) ||
        (s = rt_h5_attr_set_string(o->distance, "units",
                                   "Euclidean distance to the segment centroid in the "
                                   "model's scaled units")))
        return s;
    return RETAIN_OK;
}

static retain_status copy_ids(segment_out *o, rt_features *f, int64_t first, int64_t n,
                              int64_t *ids, char **strings)
{
    retain_status s;
    if (!rt_features_user_ids_are_strings(f)) {
        if ((s = rt_features_read_user_ids(f, first, n, ids)))
            return s;
        return rt_h5_write_rows(o->ids, H5T_NATIVE_INT64, first, n, 0, ids);
    }
    if ((s = rt_features_read_user_id_strings(f, first, n, strings)))
        return s;
    s = rt_h5_write_string_rows(o->ids, first, n, (const char *const *)strings);
    for (int64_t i = 0; i < n; i++)
        free(strings[i]);
    return s;
}

/* Predicts and writes this rank's rows (all of them in one process). */
static retain_status write_batches(segment_out *o, rt_features *f, const retain_kmeans_model *m,
                                   cli_progress *progress)
{
    int64_t d = rt_features_cols(f), start, n;
    rt_dist_rows(rt_features_rows(f), &start, &n);
    int64_t batch = BATCH_BYTES / (d * 4);
    batch = batch < 1 ? 1 : batch > n ? n : batch;
    float *x = NULL, *dist = malloc((size_t)batch * sizeof *dist);
    int32_t *seg = malloc((size_t)batch * sizeof *seg);
    int64_t *ids = malloc((size_t)batch * sizeof *ids);
    char **strings = calloc((size_t)batch, sizeof *strings);
    retain_status s = (!dist || !seg || !ids || !strings)
                          ? rt_error(RETAIN_ERR_INTERNAL, "out of memory for a batch of rows")
                          : retain_malloc((size_t)(batch * d) * sizeof *x, (void **)&x);
    for (int64_t first = start; !s && first < start + n; first += batch) {
        int64_t cnt = start + n - first < batch ? start + n - first : batch;
        retain_matrix view = {x, cnt, d, d};
        if ((s = rt_features_read(f, first, cnt, x)) ||
            (s = retain_kmeans_predict(m, &view, seg, dist)) ||
            (o->ids >= 0 && (s = copy_ids(o, f, first, cnt, ids, strings))) ||
            (s = rt_h5_write_rows(o->segment, H5T_NATIVE_INT32, first, cnt, 0, seg)) ||
            (s = rt_h5_write_rows(o->distance, H5T_NATIVE_FLOAT, first, cnt, 0, dist)))
            break;
        cli_progress_report(progress, "predict", first + cnt - start, n);
    }
    retain_free(x);
    free(dist);
    free(seg);
    free(ids);
    free(strings);
    return s;
}

retain_status cli_kmeans_write_segments(const char *out_path, rt_features *f,
                                        const retain_kmeans_model *m, const char *model_path,
                                        const char *input_path, cli_progress *progress)
{
    if (rt_dist_size() > 1 && rt_features_user_ids_are_strings(f)) /* the same on all ranks */
        return rt_error(RETAIN_ERR_USAGE, "%s: string user ids cannot be written by several "
                        "MPI ranks (parallel HDF5 writes no variable-length strings); run "
                        "`retain kmeans predict` as one process", out_path);
    rt_output out;
    const char *inputs[2] = {input_path, model_path};
    retain_status s = rt_output_begin_shared(&out, out_path, inputs, 2);
    if (s)
        return s;
    segment_out o = {H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID};
    s = rt_h5_create_shared(out.tmp_path, &o.file);
    if (!s)
        s = rt_dist_agree(create_outputs(&o, f, model_path, input_path,
                                         retain_kmeans_model_k(m)));
    if (!s)
        s = write_batches(&o, f, m, progress);
    s = rt_dist_agree(s); /* under MPI: every rank's rows are written, or none commits */
    hid_t *sets[3] = {&o.ids, &o.segment, &o.distance};
    for (int i = 0; i < 3; i++)
        if (*sets[i] >= 0)
            H5Dclose(*sets[i]);
    if (o.file >= 0)
        s = rt_h5_close_file(o.file, out.tmp_path, s);
    return rt_output_end_shared(&out, s);
}

int cmd_kmeans_predict(int argc, char **argv)
{
    cli_common common = {0};
    rt_features_spec spec = {0};
    const char *output = NULL, *device = "cpu";
    cli_opt opts[] = {
        {"output", 'o', CLI_STRING, &output, "OUT.h5", "output file (required)", 1, 0},
        {"dataset", 0, CLI_STRING, &spec.dataset, "PATH", "feature dataset or group "
         "(default: /features, else the file's one pandas frame)", 1, 0},
        {"columns", 0, CLI_STRING, &spec.columns, "a,b,c", "feature columns, in the model's "
         "order (default: every numeric column)", 1, 0},
        CLI_DEVICE_OPTION(&device),
        {0},
    };
    cli_command cmd = {
        "kmeans predict", "MODEL.h5 FILE -o OUT.h5",
        "Assign every row of FILE to the nearest segment of a k-means model.",
        "Writes /user_id (copied from the input when it has one), /segment (int32,\n"
        "numbered as in the model: largest training segment first) and\n"
        "/segment_distance (float32, Euclidean distance to the segment centroid in\n"
        "the model's scaled units), with attributes naming the model and input.\n"
        "The input must have the model's feature names in the model's order;\n"
        "otherwise the difference is listed. Rows stream in batches of 16 MiB.\n"
        "Built with RETAIN_MPI, `mpirun -np P retain kmeans predict ...` has each rank\n"
        "predict and write its own rows of OUT (not with string user ids).\n\n"
        "example: retain kmeans predict segments.h5 users.h5 -o scored.h5\n"
        "         retain kmeans predict segments.h5 users.h5 -o scored.h5 --device cuda",
        opts, 2, 2};
    const char *pos[2];
    int npos;
    bool done;
    int rc = cli_parse(&cmd, &common, argc, argv, pos, &npos, &done);
    if (rc || done)
        return rc;
    const char *model_path = pos[0], *input = pos[1];
    bool is_text;
    retain_device dev;
    if ((rc = cli_output_kind(&cmd, &common, output, ".h5", "HDF5", 0, &is_text)) ||
        (rc = cli_device(&cmd, &common, device, &dev)))
        return rc;
    const char *inputs[2] = {model_path, input};
    retain_status s = rt_output_check_not_input(output, inputs, 2);
    if (s)
        return cli_fail(&cmd, &common, s);

    double t0 = rt_seconds();
    retain_kmeans_model *m;
    char **model_names;
    /* under MPI every rank loads it; one that cannot stops all */
    if ((s = rt_dist_agree(rt_kmeans_model_load(model_path, &m, &model_names))))
        return cli_fail(&cmd, &common, s);
    retain_kmeans_model_set_device(m, dev);
    int64_t model_d = retain_kmeans_model_d(m);
    rt_features *f = NULL;
    s = rt_features_open(input, &spec, &f);
    if (!s)
        s = rt_features_check_names(model_path, (const char *const *)model_names, model_d,
                                     input, rt_features_names(f), rt_features_cols(f));
    cli_progress progress;
    cli_progress_start(&progress, &common);
    if (!s)
        s = cli_kmeans_write_segments(output, f, m, model_path, input, &progress);
    cli_progress_finish(&progress);
    int64_t rows = f ? rt_features_rows(f) : 0;
    rt_features_close(f);
    rt_h5_free_strings(model_names, model_d);
    int64_t k = retain_kmeans_model_k(m);
    retain_kmeans_free(m);
    if (s)
        return cli_fail(&cmd, &common, s);
    double seconds = rt_seconds() - t0;
    if (common.json) {
        cli_json j;
        json_begin(&j, stdout);
        json_string(&j, "command", "kmeans predict");
        json_string(&j, "device", retain_device_name(dev));
        json_string(&j, "model", model_path);
        json_string(&j, "input", input);
        json_string(&j, "output", output);
        json_int(&j, "rows", rows);
        json_int(&j, "k", k);
        json_string(&j, "isa", retain_isa_name());
        json_double(&j, "seconds", seconds);
        json_end(&j);
    } else if (!common.quiet) {
        printf("wrote %s: %lld rows scored with %lld segments, %.2f s\n", output,
               (long long)rows, (long long)k, seconds);
    }
    return 0;
}
