import Foundation

/// Reads model weights from disk in any format the engine knows.
public enum CheckpointLoader {
    /// Loads a Hugging Face directory (`config.json` + safetensors) or a llama2.c `.bin` file.
    /// Throws `ModelLoadError` naming the file and the problem.
    public static func loadWeights(at path: String) throws -> LlamaWeights {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelLoadError(path: path, problem: "no such file or directory (expected a Hugging Face model directory or a llama2.c .bin)")
        }
        let url = URL(fileURLWithPath: path)
        return isDirectory.boolValue ? try HFCheckpoint.load(directory: url) : try Llama2cCheckpoint.load(url: url)
    }
}
