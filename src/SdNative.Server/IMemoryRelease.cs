namespace SdNative.Server;

/// <summary>What POST /free asks of the execution core: drop loaded models and cached node
/// outputs. The core registers its implementation as a service; without one there is nothing held
/// between prompts to release.</summary>
public interface IMemoryRelease
{
    void Release(bool unloadModels, bool freeMemory);
}
