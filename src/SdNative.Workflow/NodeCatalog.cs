using System.Text.Json.Nodes;
using SdNative.Imaging;
using SdNative.Workflow.Nodes;

namespace SdNative.Workflow;

/// <summary>The node classes this runner knows, each defined once (ComfyUI's nodes.py values).</summary>
public static partial class NodeCatalog
{
    public const long MaxResolution = 16384;

    /// <summary>ComfyUI's KSampler.SAMPLERS, in order (the first is the UI default).</summary>
    public static readonly IReadOnlyList<string> Samplers =
    [
        "euler", "euler_cfg_pp", "euler_ancestral", "euler_ancestral_cfg_pp", "heun", "heunpp2",
        "exp_heun_2_x0", "exp_heun_2_x0_sde", "dpm_2", "dpm_2_ancestral", "lms", "dpm_fast", "dpm_adaptive",
        "dpmpp_2s_ancestral", "dpmpp_2s_ancestral_cfg_pp", "dpmpp_sde", "dpmpp_sde_gpu", "dpmpp_2m",
        "dpmpp_2m_cfg_pp", "dpmpp_2m_sde", "dpmpp_2m_sde_gpu", "dpmpp_2m_sde_heun", "dpmpp_2m_sde_heun_gpu",
        "dpmpp_3m_sde", "dpmpp_3m_sde_gpu", "ddpm", "lcm", "ipndm", "ipndm_v", "deis", "res_multistep",
        "res_multistep_cfg_pp", "res_multistep_ancestral", "res_multistep_ancestral_cfg_pp",
        "gradient_estimation", "gradient_estimation_cfg_pp", "er_sde", "seeds_2", "seeds_3", "sa_solver",
        "sa_solver_pece", "ddim", "uni_pc", "uni_pc_bh2",
    ];

    /// <summary>ComfyUI's KSampler.SCHEDULERS, in order.</summary>
    public static readonly IReadOnlyList<string> Schedulers =
        ["simple", "sgm_uniform", "karras", "exponential", "ddim_uniform", "beta", "normal", "linear_quadratic", "kl_optimal"];

    public static readonly IReadOnlyList<string> CropMethods = ["disabled", "center"];

    private static readonly string Res8 = $$"""{"default": 512, "min": 0, "max": {{MaxResolution}}, "step": 8}""";

    // Declared after every static it reads: static fields initialize in order.
    private static readonly Dictionary<string, NodeDefinition> ByName = Build().ToDictionary(d => d.ClassName);

    public static IReadOnlyCollection<NodeDefinition> All => ByName.Values;

    public static NodeDefinition? Find(string className) => ByName.GetValueOrDefault(className);

    private static JsonObject O(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static InputSpec Link(string name, string type) => new(name, type, new JsonObject());

    private static InputSpec Int(string name, string options) => new(name, "INT", O(options));

    private static InputSpec Float(string name, string options) => new(name, "FLOAT", O(options));

    private static InputSpec Combo(string name, IReadOnlyList<string> choices, string options = "{}") => new(name, "COMBO", O(options), choices);

    private static InputSpec Files(string name, string folder, string options = "{}") => new(name, "COMBO", O(options), null, folder);

    private static IEnumerable<NodeDefinition> Build()
    {
        var savedHidden = new KeyValuePair<string, string>[] { new("prompt", "PROMPT"), new("extra_pnginfo", "EXTRA_PNGINFO") };
        var seed = """{"default": 0, "min": 0, "max": 18446744073709551615, "control_after_generate": true}""";
        var samplerInputsTail = new[]
        {
            Int("steps", """{"default": 20, "min": 1, "max": 10000}"""),
            Float("cfg", """{"default": 8.0, "min": 0.0, "max": 100.0, "step": 0.1, "round": 0.01}"""),
            Combo("sampler_name", Samplers),
            Combo("scheduler", Schedulers),
            Link("positive", "CONDITIONING"),
            Link("negative", "CONDITIONING"),
            Link("latent_image", "LATENT"),
        };

        yield return new NodeDefinition
        {
            ClassName = "CheckpointLoaderSimple", DisplayName = "Load Checkpoint", Category = "loaders",
            Description = "Loads a diffusion model checkpoint, diffusion models are used to denoise latents.",
            Required = [Files("ckpt_name", ModelFolders.Checkpoints)],
            Outputs = ["MODEL", "CLIP", "VAE"],
            Execute = ModelNodes.CheckpointLoaderSimple,
        };
        yield return new NodeDefinition
        {
            ClassName = "VAELoader", DisplayName = "Load VAE", Category = "loaders",
            Required = [Files("vae_name", ModelFolders.VaeChoices)],
            Outputs = ["VAE"],
            Execute = ModelNodes.VaeLoader,
        };
        yield return new NodeDefinition
        {
            ClassName = "CLIPTextEncode", DisplayName = "CLIP Text Encode (Prompt)", Category = "conditioning",
            Description = "Encodes a text prompt using a CLIP model into an embedding that can be used to guide the diffusion model towards generating specific images.",
            Required = [new InputSpec("text", "STRING", O("""{"multiline": true, "dynamicPrompts": true}""")), Link("clip", "CLIP")],
            Outputs = ["CONDITIONING"],
            Execute = ModelNodes.ClipTextEncode,
        };
        yield return new NodeDefinition
        {
            ClassName = "CLIPSetLastLayer", DisplayName = "CLIP Set Last Layer", Category = "conditioning",
            Required = [Link("clip", "CLIP"), Int("stop_at_clip_layer", """{"default": -1, "min": -24, "max": -1, "step": 1}""")],
            Outputs = ["CLIP"],
            Execute = ConditioningNodes.ClipSetLastLayer,
        };
        yield return new NodeDefinition
        {
            ClassName = "ConditioningCombine", DisplayName = "Conditioning (Combine)", Category = "conditioning",
            Required = [Link("conditioning_1", "CONDITIONING"), Link("conditioning_2", "CONDITIONING")],
            Outputs = ["CONDITIONING"],
            Execute = ConditioningNodes.Combine,
        };
        yield return new NodeDefinition
        {
            ClassName = "ConditioningAverage", DisplayName = "Conditioning (Average)", Category = "conditioning",
            Required =
            [
                Link("conditioning_to", "CONDITIONING"), Link("conditioning_from", "CONDITIONING"),
                Float("conditioning_to_strength", """{"default": 1.0, "min": 0.0, "max": 1.0, "step": 0.01}"""),
            ],
            Outputs = ["CONDITIONING"],
            Execute = ConditioningNodes.Average,
        };
        yield return new NodeDefinition
        {
            ClassName = "ConditioningSetArea", DisplayName = "Conditioning (Set Area)", Category = "conditioning",
            Required =
            [
                Link("conditioning", "CONDITIONING"),
                Int("width", $$"""{"default": 64, "min": 64, "max": {{MaxResolution}}, "step": 8}"""),
                Int("height", $$"""{"default": 64, "min": 64, "max": {{MaxResolution}}, "step": 8}"""),
                Int("x", $$"""{"default": 0, "min": 0, "max": {{MaxResolution}}, "step": 8}"""),
                Int("y", $$"""{"default": 0, "min": 0, "max": {{MaxResolution}}, "step": 8}"""),
                Float("strength", """{"default": 1.0, "min": 0.0, "max": 10.0, "step": 0.01}"""),
            ],
            Outputs = ["CONDITIONING"],
            Execute = ConditioningNodes.SetArea,
        };
        yield return new NodeDefinition
        {
            ClassName = "VAEDecode", DisplayName = "VAE Decode", Category = "latent",
            Description = "Decodes latent images back into pixel space images.",
            Required = [Link("samples", "LATENT"), Link("vae", "VAE")],
            Outputs = ["IMAGE"],
            Execute = ModelNodes.VaeDecode,
        };
        yield return new NodeDefinition
        {
            ClassName = "VAEEncode", DisplayName = "VAE Encode", Category = "latent",
            Required = [Link("pixels", "IMAGE"), Link("vae", "VAE")],
            Outputs = ["LATENT"],
            Execute = ModelNodes.VaeEncode,
        };
        yield return new NodeDefinition
        {
            ClassName = "VAEDecodeTiled", DisplayName = "VAE Decode (Tiled)", Category = "_for_testing",
            Required =
            [
                Link("samples", "LATENT"), Link("vae", "VAE"),
                Int("tile_size", """{"default": 512, "min": 64, "max": 4096, "step": 32}"""),
                Int("overlap", """{"default": 64, "min": 0, "max": 4096, "step": 32}"""),
                Int("temporal_size", """{"default": 64, "min": 8, "max": 4096, "step": 4}"""),
                Int("temporal_overlap", """{"default": 8, "min": 4, "max": 4096, "step": 4}"""),
            ],
            Outputs = ["IMAGE"],
            Execute = ModelNodes.VaeDecodeTiled,
        };
        yield return new NodeDefinition
        {
            ClassName = "VAEEncodeTiled", DisplayName = "VAE Encode (Tiled)", Category = "_for_testing",
            Required =
            [
                Link("pixels", "IMAGE"), Link("vae", "VAE"),
                Int("tile_size", """{"default": 512, "min": 64, "max": 4096, "step": 64}"""),
                Int("overlap", """{"default": 64, "min": 0, "max": 4096, "step": 32}"""),
                Int("temporal_size", """{"default": 64, "min": 8, "max": 4096, "step": 4}"""),
                Int("temporal_overlap", """{"default": 8, "min": 4, "max": 4096, "step": 4}"""),
            ],
            Outputs = ["LATENT"],
            Execute = ModelNodes.VaeEncodeTiled,
        };
        yield return new NodeDefinition
        {
            ClassName = "VAEEncodeForInpaint", DisplayName = "VAE Encode (for Inpainting)", Category = "latent/inpaint",
            Required =
            [
                Link("pixels", "IMAGE"), Link("vae", "VAE"), Link("mask", "MASK"),
                Int("grow_mask_by", """{"default": 6, "min": 0, "max": 64, "step": 1}"""),
            ],
            Outputs = ["LATENT"],
            Execute = ModelNodes.VaeEncodeForInpaint,
        };
        yield return new NodeDefinition
        {
            ClassName = "EmptyLatentImage", DisplayName = "Empty Latent Image", Category = "latent",
            Description = "Create a new batch of empty latent images to be denoised via sampling.",
            Required =
            [
                Int("width", $$"""{"default": 512, "min": 16, "max": {{MaxResolution}}, "step": 8}"""),
                Int("height", $$"""{"default": 512, "min": 16, "max": {{MaxResolution}}, "step": 8}"""),
                Int("batch_size", """{"default": 1, "min": 1, "max": 4096}"""),
            ],
            Outputs = ["LATENT"],
            Execute = LatentNodes.EmptyLatentImage,
        };
        yield return new NodeDefinition
        {
            ClassName = "LatentUpscale", DisplayName = "Upscale Latent", Category = "latent",
            Required =
            [
                Link("samples", "LATENT"), Combo("upscale_method", Upscale.LatentMethods),
                Int("width", Res8), Int("height", Res8), Combo("crop", CropMethods),
            ],
            Outputs = ["LATENT"],
            Execute = LatentNodes.LatentUpscale,
        };
        yield return new NodeDefinition
        {
            ClassName = "LatentUpscaleBy", DisplayName = "Upscale Latent By", Category = "latent",
            Required =
            [
                Link("samples", "LATENT"), Combo("upscale_method", Upscale.LatentMethods),
                Float("scale_by", """{"default": 1.5, "min": 0.01, "max": 8.0, "step": 0.01}"""),
            ],
            Outputs = ["LATENT"],
            Execute = LatentNodes.LatentUpscaleBy,
        };
        yield return new NodeDefinition
        {
            ClassName = "LatentComposite", DisplayName = "Latent Composite", Category = "latent",
            Required =
            [
                Link("samples_to", "LATENT"), Link("samples_from", "LATENT"),
                Int("x", $$"""{"default": 0, "min": 0, "max": {{MaxResolution}}, "step": 8}"""),
                Int("y", $$"""{"default": 0, "min": 0, "max": {{MaxResolution}}, "step": 8}"""),
                Int("feather", $$"""{"default": 0, "min": 0, "max": {{MaxResolution}}, "step": 8}"""),
            ],
            Outputs = ["LATENT"],
            Execute = LatentNodes.LatentComposite,
        };
        yield return new NodeDefinition
        {
            ClassName = "LatentBlend", DisplayName = "Latent Blend", Category = "_for_testing",
            Required =
            [
                Link("samples1", "LATENT"), Link("samples2", "LATENT"),
                Float("blend_factor", """{"default": 0.5, "min": 0, "max": 1, "step": 0.01}"""),
            ],
            Outputs = ["LATENT"],
            Execute = LatentNodes.LatentBlend,
        };
        yield return new NodeDefinition
        {
            ClassName = "LatentFromBatch", DisplayName = "Latent From Batch", Category = "latent/batch",
            Required =
            [
                Link("samples", "LATENT"),
                Int("batch_index", """{"default": 0, "min": 0, "max": 63}"""),
                Int("length", """{"default": 1, "min": 1, "max": 64}"""),
            ],
            Outputs = ["LATENT"],
            Execute = LatentNodes.LatentFromBatch,
        };
        yield return new NodeDefinition
        {
            ClassName = "RepeatLatentBatch", DisplayName = "Repeat Latent Batch", Category = "latent/batch",
            Required = [Link("samples", "LATENT"), Int("amount", """{"default": 1, "min": 1, "max": 64}""")],
            Outputs = ["LATENT"],
            Execute = LatentNodes.RepeatLatentBatch,
        };
        yield return new NodeDefinition
        {
            ClassName = "SetLatentNoiseMask", DisplayName = "Set Latent Noise Mask", Category = "latent/inpaint",
            Required = [Link("samples", "LATENT"), Link("mask", "MASK")],
            Outputs = ["LATENT"],
            Execute = LatentNodes.SetLatentNoiseMask,
        };
        yield return new NodeDefinition
        {
            ClassName = "KSampler", DisplayName = "KSampler", Category = "sampling",
            Description = "Uses the provided model, positive and negative conditioning to denoise the latent image.",
            Required =
            [
                Link("model", "MODEL"), Int("seed", seed), .. samplerInputsTail,
                Float("denoise", """{"default": 1.0, "min": 0.0, "max": 1.0, "step": 0.01}"""),
            ],
            Outputs = ["LATENT"],
            Execute = ModelNodes.KSampler,
        };
        yield return new NodeDefinition
        {
            ClassName = "KSamplerAdvanced", DisplayName = "KSampler (Advanced)", Category = "sampling",
            Required =
            [
                Link("model", "MODEL"), Combo("add_noise", ["enable", "disable"]), Int("noise_seed", seed),
                .. samplerInputsTail,
                Int("start_at_step", """{"default": 0, "min": 0, "max": 10000}"""),
                Int("end_at_step", """{"default": 10000, "min": 0, "max": 10000}"""),
                Combo("return_with_leftover_noise", ["disable", "enable"]),
            ],
            Outputs = ["LATENT"],
            Execute = ModelNodes.KSamplerAdvanced,
        };
        yield return new NodeDefinition
        {
            ClassName = "SaveImage", DisplayName = "Save Image", Category = "image",
            Description = "Saves the input images to your ComfyUI output directory.",
            Required = [Link("images", "IMAGE"), new InputSpec("filename_prefix", "STRING", O("""{"default": "ComfyUI"}"""))],
            Hidden = savedHidden,
            IsOutputNode = true,
            Execute = ImageIoNodes.SaveImage,
        };
        yield return new NodeDefinition
        {
            ClassName = "PreviewImage", DisplayName = "Preview Image", Category = "image",
            Description = "Saves the input images to your ComfyUI output directory.",
            Required = [Link("images", "IMAGE")],
            Hidden = savedHidden,
            IsOutputNode = true,
            Execute = ImageIoNodes.PreviewImage,
        };
        yield return new NodeDefinition
        {
            ClassName = "LoadImage", DisplayName = "Load Image", Category = "image",
            Required = [Files("image", ModelFolders.InputImages, """{"image_upload": true}""")],
            Outputs = ["IMAGE", "MASK"],
            CustomValidatedInputs = new HashSet<string> { "image" },
            CustomValidation = ImageIoNodes.ValidateImage,
            Execute = ImageIoNodes.LoadImage,
        };
        yield return new NodeDefinition
        {
            ClassName = "LoadImageMask", DisplayName = "Load Image (as Mask)", Category = "mask",
            Required = [Files("image", ModelFolders.InputFiles, """{"image_upload": true}"""), Combo("channel", ImageLoader.MaskChannels)],
            Outputs = ["MASK"],
            CustomValidatedInputs = new HashSet<string> { "image" },
            CustomValidation = ImageIoNodes.ValidateImage,
            Execute = ImageIoNodes.LoadImageMask,
        };
        yield return new NodeDefinition
        {
            ClassName = "ImageScale", DisplayName = "Upscale Image", Category = "image/upscaling",
            Required =
            [
                Link("image", "IMAGE"), Combo("upscale_method", Upscale.ImageMethods),
                Int("width", $$"""{"default": 512, "min": 0, "max": {{MaxResolution}}, "step": 1}"""),
                Int("height", $$"""{"default": 512, "min": 0, "max": {{MaxResolution}}, "step": 1}"""),
                Combo("crop", CropMethods),
            ],
            Outputs = ["IMAGE"],
            Execute = ImageIoNodes.ImageScale,
        };
        yield return new NodeDefinition
        {
            ClassName = "ImageScaleBy", DisplayName = "Upscale Image By", Category = "image/upscaling",
            Required =
            [
                Link("image", "IMAGE"), Combo("upscale_method", Upscale.ImageMethods),
                Float("scale_by", """{"default": 1.0, "min": 0.01, "max": 8.0, "step": 0.01}"""),
            ],
            Outputs = ["IMAGE"],
            Execute = ImageIoNodes.ImageScaleBy,
        };
        yield return new NodeDefinition
        {
            ClassName = "ImageInvert", DisplayName = "Invert Image", Category = "image",
            Required = [Link("image", "IMAGE")],
            Outputs = ["IMAGE"],
            Execute = ImageIoNodes.ImageInvert,
        };
        yield return new NodeDefinition
        {
            ClassName = "ImageBlend", DisplayName = "Image Blend", Category = "image/postprocessing",
            PythonModule = "comfy_extras.nodes_post_processing",
            Required =
            [
                Link("image1", "IMAGE"), Link("image2", "IMAGE"),
                Float("blend_factor", """{"default": 0.5, "min": 0.0, "max": 1.0, "step": 0.01}"""),
                new InputSpec("blend_mode", "COMBO", O("""{"multiselect": false}"""), ImageNodes.BlendModes, V3Combo: true),
            ],
            Outputs = ["IMAGE"],
            Execute = ImageIoNodes.ImageBlend,
        };
        foreach (var definition in SplitLoaderDefinitions().Concat(ConditioningOptionDefinitions()).Concat(TransformDefinitions()).Concat(LoraDefinitions()).Concat(SdxlDefinitions()))
        {
            yield return definition;
        }
    }
}
