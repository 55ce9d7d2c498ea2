/*
 * sdnative.h - the one public C header of libsdnative.
 *
 * Conventions:
 *  - Every function returns an sdn_status (or a plain value when it cannot fail).
 *    Nothing is thrown or aborted across this boundary.
 *  - Objects are opaque handles created by sdn_*_create / *_load and released by sdn_*_free.
 *  - Parameter structs carry struct_size and are filled with defaults by sdn_*_init(&p).
 *  - Callbacks belong to a context and carry a user_data pointer; nothing is process-global.
 *  - When a call taking a context fails, sdn_context_last_error(ctx) explains why.
 *  - Latents, images and conditionings cross the ABI as sdn_tensor handles: dense float32
 *    buffers with an explicit shape (up to 4 dimensions, row-major).
 *
 * The managed side (SdNative.Interop) is generated from this file; keep it C89-friendly:
 * fixed-size integers, no bitfields, no unions.
 */
#ifndef SDNATIVE_H
#define SDNATIVE_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#if defined(SDN_BUILDING_LIBRARY)
#define SDN_API __declspec(dllexport)
#else
#define SDN_API __declspec(dllimport)
#endif
#else
#define SDN_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature, struct layout or enum value changes. */
#define SDN_ABI_VERSION 4

/* ------------------------------------------------------------------ status */

typedef enum sdn_status {
    SDN_OK = 0,
    SDN_ERR_INVALID_ARGUMENT = 1, /* a NULL handle, a bad size, an out-of-range value */
    SDN_ERR_IO = 2,               /* a file could not be opened, read or written */
    SDN_ERR_FORMAT = 3,           /* a file is truncated, inconsistent or hostile */
    SDN_ERR_UNSUPPORTED = 4,      /* valid input this build cannot handle */
    SDN_ERR_OUT_OF_MEMORY = 5,
    SDN_ERR_CANCELLED = 6,        /* sdn_context_cancel was called during the call */
    SDN_ERR_NOT_FOUND = 7,        /* a file, tensor or tokenizer that is required is missing */
    SDN_ERR_INTERNAL = 8
} sdn_status;

/* A static English name for a status ("ok", "cancelled", ...). */
SDN_API const char* sdn_status_name(int32_t status);

/* ------------------------------------------------------------------ version and system */

SDN_API int32_t sdn_abi_version(void);
/* Library version string, e.g. "0.1.0". Static storage. */
SDN_API const char* sdn_version_string(void);

typedef enum sdn_cpu_feature {
    SDN_CPU_SSE42 = 1,
    SDN_CPU_AVX = 2,
    SDN_CPU_AVX2 = 4,
    SDN_CPU_FMA = 8,
    SDN_CPU_F16C = 16,
    SDN_CPU_AVX512F = 32,
    SDN_CPU_AVX512BW = 64,
    SDN_CPU_AVX512VL = 128,
    SDN_CPU_AVX512DQ = 256,
    SDN_CPU_AVX512_BF16 = 512,
    SDN_CPU_AVX512_VNNI = 1024,
    SDN_CPU_AVX_VNNI = 2048,
    SDN_CPU_AMX_BF16 = 4096,
    SDN_CPU_AMX_INT8 = 8192
} sdn_cpu_feature;

typedef enum sdn_backend {
    SDN_BACKEND_CPU = 1,
    SDN_BACKEND_VULKAN = 2,
    SDN_BACKEND_CUDA = 4
} sdn_backend;

/* Kernel families for the CPU. AUTO picks the best one the CPU supports. */
typedef enum sdn_cpu_variant {
    SDN_CPU_VARIANT_AUTO = 0,
    SDN_CPU_VARIANT_SCALAR = 1,
    SDN_CPU_VARIANT_AVX2 = 2,  /* AVX2 + FMA + F16C */
    SDN_CPU_VARIANT_AVX512 = 3, /* AVX-512 F/BW/VL/DQ; matrix products in float32 */
    /* AVX-512 + AVX512-BF16 + AMX-BF16: matrix products (convolutions, linear layers) on the
       AMX tile unit with bfloat16 operands and float32 sums; other kernels as AVX512. */
    SDN_CPU_VARIANT_AVX512_AMX = 4,
    /* AVX-512 + AVX512-BF16 without AMX (AMD Zen 4/5): matrix products (convolutions, linear
       layers) as AVX512-BF16 dot products with bfloat16 operands and float32 sums; other
       kernels as AVX512. Between AVX512 and AVX512_AMX in speed despite its number. */
    SDN_CPU_VARIANT_AVX512_BF16 = 5
} sdn_cpu_variant;

typedef struct sdn_system_info_t {
    uint32_t struct_size;
    uint32_t cpu_features;      /* sdn_cpu_feature bits */
    uint32_t backends;          /* sdn_backend bits compiled into this library */
    int32_t physical_cores;
    int32_t logical_cores;
    int32_t default_threads;    /* threads a context gets when it asks for 0 */
    int32_t best_cpu_variant;   /* sdn_cpu_variant chosen by AUTO */
    int32_t reserved;
    char cpu_name[64];          /* NUL-terminated */
} sdn_system_info_t;

SDN_API sdn_status sdn_system_info(sdn_system_info_t* out);

/* GPU devices a context can compute on (today: every Vulkan device, numbered as vulkan:N). */
typedef enum sdn_device_type {
    SDN_DEVICE_OTHER = 0,
    SDN_DEVICE_INTEGRATED_GPU = 1,
    SDN_DEVICE_DISCRETE_GPU = 2,
    SDN_DEVICE_VIRTUAL_GPU = 3,
    SDN_DEVICE_CPU_EMULATION = 4 /* a CPU driver such as Mesa's lavapipe: correct but slow */
} sdn_device_type;

typedef enum sdn_device_feature {
    SDN_DEVICE_F16 = 1,                /* 16-bit float arithmetic in shaders */
    SDN_DEVICE_INT8 = 2,               /* 8-bit integer arithmetic in shaders */
    SDN_DEVICE_COOPERATIVE_MATRIX = 4  /* matrix units (VK_KHR_cooperative_matrix) */
} sdn_device_feature;

typedef struct sdn_device_info_t {
    uint32_t struct_size;
    int32_t backend;       /* sdn_backend */
    int32_t index;         /* the N of vulkan:N */
    int32_t type;          /* sdn_device_type */
    int64_t memory_bytes;  /* device-local memory */
    uint32_t features;     /* sdn_device_feature bits */
    int32_t reserved;
    char name[128];        /* NUL-terminated */
} sdn_device_info_t;

/* Number of GPU devices (0 when the library has no GPU backend or the machine no driver). */
SDN_API int32_t sdn_device_count(void);
/* Device `index` (0 .. sdn_device_count()-1). */
SDN_API sdn_status sdn_device_info(int32_t index, sdn_device_info_t* out);

/* Number of live library objects (contexts, models, tensors, ...); for leak tests. */
SDN_API int64_t sdn_live_object_count(void);

/* What sdn_debug_live_objects counts: each kind of handle, and the engine's internal objects
   behind them, which a leak can strand without leaking a handle. */
typedef enum sdn_live_kind {
    SDN_LIVE_CONTEXTS = 0,
    SDN_LIVE_MODELS = 1,
    SDN_LIVE_CLIPS = 2,
    SDN_LIVE_VAES = 3,
    SDN_LIVE_TENSORS = 4,             /* sdn_tensor handles */
    SDN_LIVE_ENGINE_BUFFERS = 5,      /* engine arrays: activations, scratch, tensors, converted weights */
    SDN_LIVE_ENGINE_BUFFER_BYTES = 6, /* their size in bytes */
    SDN_LIVE_THREAD_POOLS = 7,
    SDN_LIVE_MAPPED_FILES = 8,        /* model files held open (mapped or copied in) */
    SDN_LIVE_KIND_COUNT = 9
} sdn_live_kind;

/* The live count of one sdn_live_kind; -1 for a kind out of range. For leak tests. */
SDN_API int64_t sdn_debug_live_objects(int32_t kind);

/* ------------------------------------------------------------------ context */

typedef struct sdn_context sdn_context;

typedef enum sdn_log_level {
    SDN_LOG_DEBUG = 0,
    SDN_LOG_INFO = 1,
    SDN_LOG_WARN = 2,
    SDN_LOG_ERROR = 3
} sdn_log_level;

typedef enum sdn_stage {
    SDN_STAGE_LOAD = 0,
    SDN_STAGE_TEXT_ENCODE = 1,
    SDN_STAGE_VAE_ENCODE = 2,
    SDN_STAGE_SAMPLING = 3,
    SDN_STAGE_UNET = 4, /* blocks inside one UNet evaluation */
    SDN_STAGE_VAE_DECODE = 5,
    SDN_STAGE_CONVERT = 6
} sdn_stage;

typedef struct sdn_progress_t {
    uint32_t struct_size;
    int32_t stage; /* sdn_stage */
    int32_t step;  /* 1-based; 0 when a stage starts */
    int32_t total;
} sdn_progress_t;

/* Called on the thread that runs the call. */
typedef void (*sdn_log_callback)(int32_t level, const char* message, void* user_data);
typedef void (*sdn_progress_callback)(const sdn_progress_t* progress, void* user_data);
/* An RGB preview of the current latent: the latent->RGB projection, or the preview decoder's
 * image (sdn_context_set_preview_decoder). rgb is width*height*3 bytes, valid during the call. */
typedef void (*sdn_preview_callback)(int32_t width, int32_t height, const uint8_t* rgb,
                                     void* user_data);

typedef struct sdn_context_options_t {
    uint32_t struct_size;
    int32_t n_threads;   /* 0 = physical cores */
    int32_t cpu_variant; /* sdn_cpu_variant; a forced variant the CPU lacks fails creation */
    /* sdn_backend: SDN_BACKEND_CPU (the default), SDN_BACKEND_VULKAN (device device_index),
       or 0 for automatic: the first discrete or integrated GPU, else the CPU (never a CPU
       emulation such as lavapipe, which runs only when asked for by index). A device that
       does not exist fails creation with SDN_ERR_INVALID_ARGUMENT naming the devices there are. */
    int32_t backend;
    int32_t device_index; /* with SDN_BACKEND_VULKAN: the N of vulkan:N */
    /* A cap on the memory the context's device may use, in bytes (0 = none; negative is an
       error): on a GPU its memory (weights and buffers), on the CPU the engine's buffers (the
       weights stay in the mapped file). Without a cap the CPU's budget is what the machine can
       give (MemAvailable, bounded by a cgroup memory limit) less a reserve. A VAE decode that
       would not fit the budget runs in tiles that do. */
    int64_t memory_budget_bytes;
} sdn_context_options_t;

SDN_API void sdn_context_options_init(sdn_context_options_t* options);
SDN_API sdn_status sdn_context_create(const sdn_context_options_t* options, sdn_context** out);
SDN_API void sdn_context_free(sdn_context* ctx);

/* The message of the last failed call on this context ("" when none). Valid until the next call. */
SDN_API const char* sdn_context_last_error(const sdn_context* ctx);
SDN_API int32_t sdn_context_thread_count(const sdn_context* ctx);
/* The device the context computes on: "cpu" or "vulkan:N <device name>". Valid while ctx lives. */
SDN_API const char* sdn_context_device_name(const sdn_context* ctx);
/* The sdn_cpu_variant this context's kernels run. */
SDN_API int32_t sdn_context_cpu_variant(const sdn_context* ctx);
/* Peak bytes of scratch memory the context's calls have planned so far. */
SDN_API int64_t sdn_context_peak_scratch_bytes(const sdn_context* ctx);

SDN_API void sdn_context_set_log_callback(sdn_context* ctx, sdn_log_callback callback,
                                          int32_t min_level, void* user_data);
SDN_API void sdn_context_set_progress_callback(sdn_context* ctx, sdn_progress_callback callback,
                                               void* user_data);
SDN_API void sdn_context_set_preview_callback(sdn_context* ctx, sdn_preview_callback callback,
                                              void* user_data);

/* Asks the call running on ctx to stop; safe from any thread and from callbacks.
 * The call returns SDN_ERR_CANCELLED. The request stays until sdn_context_reset_cancel. */
SDN_API void sdn_context_cancel(sdn_context* ctx);
SDN_API void sdn_context_reset_cancel(sdn_context* ctx);

/* ------------------------------------------------------------------ tensors */

typedef struct sdn_tensor sdn_tensor;

#define SDN_MAX_DIMS 4

/* A new float32 tensor; data (may be NULL for zeros) holds prod(dims) values. */
SDN_API sdn_status sdn_tensor_create(int32_t n_dims, const int64_t* dims, const float* data,
                                     sdn_tensor** out);
SDN_API void sdn_tensor_free(sdn_tensor* tensor);
SDN_API int32_t sdn_tensor_n_dims(const sdn_tensor* tensor);
/* dims must hold SDN_MAX_DIMS values; unused trailing ones are set to 1. */
SDN_API void sdn_tensor_dims(const sdn_tensor* tensor, int64_t* dims);
SDN_API int64_t sdn_tensor_element_count(const sdn_tensor* tensor);
SDN_API const float* sdn_tensor_data(const sdn_tensor* tensor);
SDN_API float* sdn_tensor_data_mut(sdn_tensor* tensor);

/* ------------------------------------------------------------------ models */

typedef struct sdn_model sdn_model; /* the diffusion model (UNet) */
typedef struct sdn_clip sdn_clip;   /* text encoder + tokenizer */
typedef struct sdn_vae sdn_vae;

typedef enum sdn_arch {
    SDN_ARCH_UNKNOWN = 0,
    SDN_ARCH_SD1 = 1,
    SDN_ARCH_SD2 = 2,
    SDN_ARCH_SDXL = 3,
    SDN_ARCH_SDXL_REFINER = 4
} sdn_arch;

/* What the diffusion model predicts. SDN_PREDICTION_DEFAULT (sampling parameters only) keeps
 * the model's own, as detected from the file. */
typedef enum sdn_prediction {
    SDN_PREDICTION_DEFAULT = 0,
    SDN_PREDICTION_EPS = 1,
    SDN_PREDICTION_V = 2
} sdn_prediction;

typedef struct sdn_load_options_t {
    uint32_t struct_size;
    const char* tokenizer_path; /* NULL: search beside the model, then SDN_TOKENIZER */
    const char* models_dir;     /* NULL: no <models>/tokenizers search */
} sdn_load_options_t;

SDN_API void sdn_load_options_init(sdn_load_options_t* options);

/* Loads a checkpoint. Each out pointer may be NULL: that component is not read at all. */
SDN_API sdn_status sdn_checkpoint_load(sdn_context* ctx, const char* path,
                                       const sdn_load_options_t* options, sdn_model** model_out,
                                       sdn_clip** clip_out, sdn_vae** vae_out);
/* Loads a standalone VAE file (or the VAE of a full checkpoint). */
SDN_API sdn_status sdn_vae_load(sdn_context* ctx, const char* path, sdn_vae** out);

SDN_API void sdn_model_free(sdn_model* model);
SDN_API void sdn_clip_free(sdn_clip* clip);
SDN_API void sdn_vae_free(sdn_vae* vae);

SDN_API int32_t sdn_model_arch(const sdn_model* model);
/* The prediction type detected from the file (sdn_prediction: eps or v). */
SDN_API int32_t sdn_model_prediction(const sdn_model* model);

/* Text -> conditioning [1, 77k, width] and pooled [1, width]. SDXL's two encoders both
 * encode text and their outputs are joined (width 768 + 1280; pooled from bigG).
 * clip_skip follows CLIPSetLastLayer: -1 = last layer, -2 = the one before, ...;
 * 0 = the model's default layer (SD1: last; SD2 and SDXL: penultimate). */
SDN_API sdn_status sdn_clip_encode(sdn_context* ctx, sdn_clip* clip, const char* text,
                                   int32_t clip_skip, sdn_tensor** cond_out,
                                   sdn_tensor** pooled_out);
/* CLIPTextEncodeSDXL: text_l for CLIP-L, text_g for bigG (the shorter token list padded with
 * empty chunks); the clip must hold SDXL's two encoders. */
SDN_API sdn_status sdn_clip_encode_sdxl(sdn_context* ctx, sdn_clip* clip, const char* text_l,
                                        const char* text_g, int32_t clip_skip,
                                        sdn_tensor** cond_out, sdn_tensor** pooled_out);
/* Token ids and weights of text as CLIPTextEncode chunks them: ids_out and weights_out are
 * [chunks, 77]. Either out may be NULL. */
SDN_API sdn_status sdn_clip_tokenize(sdn_context* ctx, sdn_clip* clip, const char* text,
                                     sdn_tensor** ids_out, sdn_tensor** weights_out);

typedef struct sdn_tiling_t {
    uint32_t struct_size;
    int32_t enabled;    /* 0 = whole image at once */
    int32_t tile_size;  /* pixels, as VAEEncodeTiled/VAEDecodeTiled tile_size */
    int32_t overlap;    /* pixels */
    int32_t reserved;
} sdn_tiling_t;

SDN_API void sdn_tiling_init(sdn_tiling_t* tiling);

/* image [B, H, W, 3] in 0..1 (ComfyUI IMAGE); H, W cropped to multiples of 8 as ComfyUI does.
 * latent out [B, 4, H/8, W/8] in raw VAE space (posterior mean, not scaled). */
SDN_API sdn_status sdn_vae_encode(sdn_context* ctx, sdn_vae* vae, const sdn_tensor* image,
                                  const sdn_tiling_t* tiling, sdn_tensor** latent_out);
/* latent [B, 4, h, w] -> image [B, 8h, 8w, 3] in 0..1. */
SDN_API sdn_status sdn_vae_decode(sdn_context* ctx, sdn_vae* vae, const sdn_tensor* latent,
                                  const sdn_tiling_t* tiling, sdn_tensor** image_out);

/* One UNet evaluation: x [B, 4, h, w] (already scaled by c_in), one timestep per batch item,
 * context [B, tokens, width]. Writes the eps prediction [B, 4, h, w]. */
SDN_API sdn_status sdn_model_eval(sdn_context* ctx, sdn_model* model, const sdn_tensor* x,
                                  const float* timesteps, const sdn_tensor* context,
                                  sdn_tensor** eps_out);

/* Loads text-encoder files (ComfyUI's CLIPLoader: path2 NULL; DualCLIPLoader: both). Each file
 * holds one encoder in transformers or OpenCLIP names, bare or under a checkpoint prefix; the
 * prefix, else the layer count (as ComfyUI: layer 30 = bigG, 22 = ViT-H, else CLIP-L) says
 * which. type "stable_diffusion": one file (CLIP-L: SD1.x, ViT-H: SD2.x, bigG: the SDXL
 * refiner's); "sdxl": one CLIP-L and one bigG file in either order. Other types, files that
 * hold no text encoder or several, and pairs that do not fit are refused by name. */
SDN_API sdn_status sdn_clip_load(sdn_context* ctx, const char* path1, const char* path2,
                                 const char* type, const sdn_load_options_t* options,
                                 sdn_clip** clip_out);

/* ------------------------------------------------------------------ sampling */

/* One conditioning entry, as in ComfyUI's CONDITIONING list. */
typedef struct sdn_cond_t {
    uint32_t struct_size;
    int32_t has_area;          /* area in latent pixels */
    const sdn_tensor* tokens;  /* [1, 77k, width] */
    const sdn_tensor* pooled;  /* may be NULL */
    const sdn_tensor* mask;    /* may be NULL: [1, H, W] or [H, W], any size */
    float strength;            /* default 1 */
    float start_percent;       /* default 0 */
    float end_percent;         /* default 1 */
    int32_t area_h;
    int32_t area_w;
    int32_t area_y;
    int32_t area_x;
    int32_t set_area_to_bounds; /* ConditioningSetMask "mask bounds": the area becomes the
                                   mask's bounding box at latent size (at least 8x8) */
    /* SDXL size conditioning (CLIPTextEncodeSDXL / ...Refiner), in pixels, used as given when
     * has_size is 1. With has_size 0 width and height come from the latent (x8), crops are 0
     * and targets follow the size, as ComfyUI fills them for CLIPTextEncode. */
    int32_t has_size;
    int32_t width;
    int32_t height;
    int32_t crop_w;
    int32_t crop_h;
    int32_t target_width;
    int32_t target_height;
    float aesthetic_score; /* refiner only; < 0 = not given (6, or 2.5 on the negative side) */
} sdn_cond_t;

SDN_API void sdn_cond_init(sdn_cond_t* cond);

typedef struct sdn_sample_params_t {
    uint32_t struct_size;
    int32_t steps;
    const char* sampler;   /* ComfyUI name: "euler", "dpmpp_2m", ... */
    const char* scheduler; /* ComfyUI name: "normal", "karras", ... */
    uint64_t seed;
    float cfg;
    float denoise;          /* KSampler denoise; 1 for KSamplerAdvanced */
    int32_t add_noise;      /* 0 = disable_noise */
    int32_t start_step;     /* KSamplerAdvanced start_at_step; 0 */
    int32_t end_step;       /* KSamplerAdvanced end_at_step; 10000 */
    int32_t force_full_denoise; /* 1 for KSampler; !return_with_leftover_noise for Advanced */
    int32_t preview_every;  /* send a preview every N steps; 0 = none */
    int32_t prediction;     /* sdn_prediction: ModelSamplingDiscrete's override; 0 = the model's */
} sdn_sample_params_t;

SDN_API void sdn_sample_params_init(sdn_sample_params_t* params);

/* The latent as LATENT carries it: samples [B, 4, h, w] raw VAE space; optional noise_mask
 * ([B,1,H,W] or [B,H,W] or [H,W], any resolution) and batch_index list. */
typedef struct sdn_latent_t {
    uint32_t struct_size;
    int32_t batch_index_count; /* 0 = no batch_index */
    const sdn_tensor* samples;
    const sdn_tensor* noise_mask;  /* may be NULL */
    const int64_t* batch_index;    /* batch_index_count values */
} sdn_latent_t;

SDN_API void sdn_latent_init(sdn_latent_t* latent);

/* KSampler / KSamplerAdvanced. Writes the sampled latent [B, 4, h, w] in raw VAE space. */
SDN_API sdn_status sdn_sample(sdn_context* ctx, sdn_model* model,
                              const sdn_sample_params_t* params, const sdn_cond_t* positive,
                              int32_t positive_count, const sdn_cond_t* negative,
                              int32_t negative_count, const sdn_latent_t* latent,
                              sdn_tensor** samples_out);

/* The sigmas a sampler would use (steps, scheduler, sampler, denoise, start/end as params). */
SDN_API sdn_status sdn_sample_sigmas(sdn_context* ctx, const sdn_sample_params_t* params,
                                     sdn_tensor** sigmas_out);

/* ComfyUI's initial noise for a latent shape and seed (prepare_noise). */
SDN_API sdn_status sdn_noise_generate(sdn_context* ctx, uint64_t seed, const int64_t* dims4,
                                      const int64_t* batch_index, int32_t batch_index_count,
                                      sdn_tensor** noise_out);

/* 1 when this build implements the sampler / scheduler named. */
SDN_API int32_t sdn_sampler_supported(const char* name);
SDN_API int32_t sdn_scheduler_supported(const char* name);

/* ------------------------------------------------------------------ files and tools */

/* Writes a tiny random-weight checkpoint with the real SD1.x tensor names and shrunk widths
 * and depths. The format follows the extension (.safetensors or .gguf); weight_type is
 * "f32", "f16", "bf16", "q8_0", "q4_0", ... (NULL = "f16"; quantized types need .gguf). */
SDN_API sdn_status sdn_make_test_model(sdn_context* ctx, const char* path,
                                       const char* weight_type, uint64_t seed);
/* The same for another architecture (sdn_arch): SD2.x (OpenCLIP-H, linear projections),
 * SDXL (CLIP-L + bigG, ADM vector, no attention at the first level) or the SDXL refiner. */
SDN_API sdn_status sdn_make_test_model_arch(sdn_context* ctx, const char* path,
                                            const char* weight_type, uint64_t seed, int32_t arch);

/* Converts a checkpoint to GGUF with weights of weight_type (norms, biases and small tensors
 * stay f32/f16; UNet convs as sdn_convert_with_conv_layout's "f16"). Embeds the tokenizer
 * vocabulary when tokenizer_path (or one found beside the model) is available. */
SDN_API sdn_status sdn_convert(sdn_context* ctx, const char* in_path, const char* out_path,
                               const char* weight_type, const char* tokenizer_path);

/* A JSON description of a model file: architecture, components, tensor types and sizes,
 * missing and unexpected tensors. Writes at most capacity bytes (NUL included) into buffer
 * and the full length (NUL included) into required; call with capacity 0 to size it. */
SDN_API sdn_status sdn_model_info(sdn_context* ctx, const char* path, char* buffer,
                                  int64_t capacity, int64_t* required);

/* Writes the tiny test model (as sdn_make_test_model) as a GGUF file in another program's
 * layout: "stable-diffusion.cpp" (its converter's output: the whole checkpoint, LDM names, no
 * metadata) or "comfyui-gguf" (ComfyUI-GGUF's UNet-only file: names without
 * "model.diffusion_model.", general.architecture "sd1", weights it reshapes to rows of 256
 * with their shape in comfy.gguf.orig_shape.*). weight_type as for sdn_make_test_model. */
SDN_API sdn_status sdn_make_test_gguf(sdn_context* ctx, const char* path, const char* weight_type,
                                      uint64_t seed, const char* layout);

/* Writes a random-weight TAESD network (.safetensors with the released files' layout and
 * names): part "decoder" (taesd_decoder) or "encoder" (taesd_encoder), `width` channels (64 is
 * the released width; 4..256), 4 latent channels. For tests. */
SDN_API sdn_status sdn_make_test_taesd(sdn_context* ctx, const char* path, const char* part,
                                       int32_t width, uint64_t seed);

/* sdn_convert with a choice for quantized types of how UNet conv weights whose kernel rows
 * (kw = 3 or 1) are not whole blocks are stored. conv_layout "f16" (NULL; what sdn_convert
 * writes): kept f16, as stable-diffusion.cpp's converter writes them. "flattened": quantized
 * when their rows of C*kh*kw are whole blocks, stored as [O, C*kh*kw] with the 4-D shape in
 * comfy.gguf.orig_shape.<name> (ComfyUI-GGUF's record), so the CPU's integer products apply
 * to them: faster, less accurate (their activations are quantized too). */
SDN_API sdn_status sdn_convert_with_conv_layout(sdn_context* ctx, const char* in_path,
                                                const char* out_path, const char* weight_type,
                                                const char* tokenizer_path,
                                                const char* conv_layout);

/* ------------------------------------------------------------------ live previews (TAESD) */

/* A TAESD decoder: the small autoencoder decoder ComfyUI previews with (taesd_decoder for
 * SD1.x/SD2.x, taesdxl_decoder for SDXL). Counted as SDN_LIVE_VAES. */
typedef struct sdn_taesd sdn_taesd;

/* Loads a TAESD decoder file (.safetensors or .gguf; tensors "1.weight" ... "19.bias"), or the
 * decoder of a combined TAESD file (the same names under "taesd_decoder."). */
SDN_API sdn_status sdn_taesd_load(sdn_context* ctx, const char* path, sdn_taesd** out);
SDN_API void sdn_taesd_free(sdn_taesd* taesd);
/* latent [B, C, h, w], multiplied by latent_scale before decoding (1 for a latent in the
 * diffusion model's space; 0.18215 for a raw SD1.x/SD2.x latent, 0.13025 for SDXL)
 * -> image [B, 8h, 8w, 3] in 0..1. */
SDN_API sdn_status sdn_taesd_decode(sdn_context* ctx, sdn_taesd* taesd, const sdn_tensor* latent,
                                    float latent_scale, sdn_tensor** image_out);
/* VAELoader's "taesd" / "taesdxl": a VAE whose encoder and decoder are TAESD's (files
 * taesd_encoder.* and taesd_decoder.*, or taesdxl_*), encoding to and decoding from raw VAE
 * latents with latent_scale (0.18215 for taesd, 0.13025 for taesdxl), as ComfyUI does.
 * sdn_vae_encode / sdn_vae_decode take it like any VAE; they ignore tiling for it (TAESD
 * needs little memory). */
SDN_API sdn_status sdn_vae_load_taesd(sdn_context* ctx, const char* encoder_path,
                                      const char* decoder_path, float latent_scale, sdn_vae** out);
/* Sampler previews on ctx (sdn_sample with preview_every > 0) come from this decoder, at 8x
 * the latent's size (a latent wider than 64 is averaged down first, so previews stay within
 * 512 pixels), instead of the latent->RGB projection; NULL goes back to the projection.
 * The context shares the decoder, so taesd may be freed while it is set. */
SDN_API void sdn_context_set_preview_decoder(sdn_context* ctx, const sdn_taesd* taesd);

/* Writes a tiny random LoRA (kohya names, rank 4, alpha 2, f16) for the test models of
 * sdn_make_test_model: every attention layer of the UNet and every CLIP layer. The format
 * follows the extension (.safetensors or .gguf). */
SDN_API sdn_status sdn_make_test_lora(sdn_context* ctx, const char* path, uint64_t seed);
/* The same for the test model of another architecture (sdn_arch): SDN_ARCH_SD1 as above, or
 * SDN_ARCH_SDXL (every transformer block of its UNet, lora_te1_ on CLIP-L and lora_te2_ on
 * bigG). Other architectures are refused. */
SDN_API sdn_status sdn_make_test_lora_arch(sdn_context* ctx, const char* path, uint64_t seed,
                                           int32_t arch);

/* ------------------------------------------------------------------ LoRA */

typedef struct sdn_lora_params_t {
    uint32_t struct_size;
    float strength_model; /* LoraLoader strength_model; default 1 */
    float strength_clip;  /* LoraLoader strength_clip; default 1 */
    /* 0 (default): every adapted weight gets a patched copy (f16 on quantized bases).
       1: on quantized bases the UNet transformers' linear weights keep their stored bytes and
       add a low-rank side path at run time instead: less memory, a little more compute
       (docs/lora.md has the measurements). */
    int32_t side_path;
} sdn_lora_params_t;

SDN_API void sdn_lora_params_init(sdn_lora_params_t* params);

/* What sdn_lora_apply did. */
typedef struct sdn_lora_report_t {
    uint32_t struct_size;
    int32_t modules;         /* adapter modules in the file */
    int32_t model_weights;   /* diffusion-model weights given a patched copy */
    int32_t clip_weights;    /* text-encoder weights given a patched copy */
    int32_t keys_not_loaded; /* tensors of the file that neither network took; each is logged
                                as a warning "lora key not loaded: NAME", as ComfyUI does */
} sdn_lora_report_t;

SDN_API void sdn_lora_report_init(sdn_lora_report_t* report);

/* LoraLoader / LoraLoaderModelOnly: new handles computing with the LoRA file at path (kohya,
 * diffusers/PEFT, LoCon, LoHa, LoKr; safetensors or GGUF) applied on top of model and clip as
 * ComfyUI applies it: W += strength * (alpha/rank) * up*down. model and clip are not changed;
 * either may be NULL, and then its out pointer must be NULL too. Applying to a handle this
 * call made stacks LoRAs in order. Only the weights the LoRA adapts are copied (patched);
 * everything else is shared with the input handles. With both strengths 0 the new handles
 * share the inputs' networks and the file is not read. report may be NULL. */
SDN_API sdn_status sdn_lora_apply(sdn_context* ctx, const char* path,
                                  const sdn_lora_params_t* params, const sdn_model* model,
                                  const sdn_clip* clip, sdn_model** model_out,
                                  sdn_clip** clip_out, sdn_lora_report_t* report);

/* ------------------------------------------------------------------ testing hooks */

/* Called each time a UNet evaluation starts (entering=1) and ends (entering=0) on ctx.
 * Lets tests observe concurrency without clocks. */
typedef void (*sdn_unet_hook)(int32_t entering, void* user_data);
SDN_API void sdn_context_set_unet_hook(sdn_context* ctx, sdn_unet_hook hook, void* user_data);

/* Layout self-description for the managed struct tests: size and field offsets of every
 * public struct, reported by code generated from this header. Returns -1 for unknown names. */
SDN_API int64_t sdn_debug_struct_size(const char* struct_name);
SDN_API int64_t sdn_debug_field_offset(const char* struct_name, const char* field_name);

#ifdef __cplusplus
}
#endif

#endif /* SDNATIVE_H */
