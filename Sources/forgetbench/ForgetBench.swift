import ArgumentParser
import CommandLineSupport

/// The `forgetbench` command: evaluate what fine-tuning made a language model forget.
struct ForgetBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forgetbench",
        abstract: "Measure and limit what a language model forgets when it is fine-tuned.",
        discussion: """
        The built-in engine runs Llama-family checkpoints (Hugging Face directories with \
        config.json + safetensors, or llama2.c .bin files) on the CPU with no setup.

        Examples:
          forgetbench run experiments/quickstart.yaml --output runs/quickstart
          forgetbench eval --model ../shared/models/stories260K/stories260K.bin --tasks arc_easy --limit 200 --output runs/base
          forgetbench compare runs/base runs/tuned --target gsm8k --output runs/compare
          forgetbench leaderboard runs/base runs/tuned runs/compare --output site
          forgetbench tasks list
          forgetbench mask --model ../shared/models/stories260K/stories260K.bin --input train.jsonl --regime stm:2.5 --output train.stm.jsonl
          forgetbench train --model ../shared/models/stories260K/stories260K.bin --data train.stm.jsonl --output runs/stm-adapter
          forgetbench eval --model ../shared/models/stories260K/stories260K.bin --adapter runs/stm-adapter --tasks arc_easy --limit 200 --output runs/tuned
          forgetbench generate --model ../shared/models/stories260K/stories260K.bin --prompt "Once upon a time" --max-tokens 64 --temperature 0
          forgetbench perplexity --model ./my-hf-model --input texts.jsonl --output scores.jsonl
          forgetbench pretrain --output models/toy-base

        Exit codes: 0 success (and every gate passed), 1 usage, input or runtime error, \
        2 a gate failed, 3 a gate was inconclusive under --strict.
        """,
        subcommands: [RunCommand.self, EvalCommand.self, CompareCommand.self, LeaderboardCommand.self, MergeCommand.self, TasksCommand.self, GenerateCommand.self, PerplexityCommand.self, MaskCommand.self, TrainCommand.self, PretrainCommand.self, ServeCommand.self]
    )
}
