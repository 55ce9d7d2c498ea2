using SdNative.Interop;

namespace SdNative.Tests;

/// <summary>Every value the generated bindings carry has its managed counterpart, by name, and
/// the managed value reaches the engine unchanged.</summary>
public class InteropMappingTests
{
    [Fact]
    public void EveryStatusMapsToTheManagedStatusOfTheSameName()
    {
        foreach (var status in Enum.GetValues<SdnStatus>())
        {
            string expected = status.ToString().StartsWith("Err", StringComparison.Ordinal) ? status.ToString()[3..] : status.ToString();
            Assert.Equal(expected, status.ToManaged().ToString());
        }
        Assert.Equal(Enum.GetValues<SdnStatus>().Length, Enum.GetValues<EngineStatus>().Length);
    }

    [Fact]
    public void EveryCpuVariantRoundTrips()
    {
        foreach (var variant in Enum.GetValues<SdnCpuVariant>())
        {
            Assert.Equal(variant.ToString(), variant.ToManaged().ToString());
            Assert.Equal(variant, variant.ToManaged().ToNative());
        }
        Assert.Equal(Enum.GetValues<SdnCpuVariant>().Length, Enum.GetValues<CpuVariant>().Length);
    }

    [Fact]
    public void EveryArchitectureAndStageMapsByName()
    {
        foreach (var arch in Enum.GetValues<SdnArch>())
        {
            Assert.Equal(arch.ToString(), arch.ToManaged().ToString());
        }
        foreach (var stage in Enum.GetValues<SdnStage>())
        {
            Assert.Equal(stage.ToString(), stage.ToManaged().ToString());
        }
    }

    [Fact]
    public void EachFeatureAndBackendBitMapsToItsOwnFlag()
    {
        foreach (var feature in Enum.GetValues<SdnCpuFeature>())
        {
            Assert.Equal(feature.ToString(), InteropMapping.CpuFeaturesOf((long)feature).ToString());
        }
        long allFeatures = Enum.GetValues<SdnCpuFeature>().Aggregate(0L, (m, f) => m | (long)f);
        Assert.Equal(Enum.GetValues<SdnCpuFeature>().Length, System.Numerics.BitOperations.PopCount((ulong)(long)InteropMapping.CpuFeaturesOf(allFeatures)));
        foreach (var backend in Enum.GetValues<SdnBackend>())
        {
            Assert.Equal(backend.ToString(), InteropMapping.BackendsOf((long)backend).ToString());
        }
    }

    [Fact]
    public void TheEngineRunsTheVariantItWasAskedFor()
    {
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1, CpuVariant: CpuVariant.Scalar));
        Assert.Equal(CpuVariant.Scalar, engine.CpuVariant);
    }
}
