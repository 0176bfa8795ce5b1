// The OpenAI-compatible backend: see OpenAILanguageModel.
