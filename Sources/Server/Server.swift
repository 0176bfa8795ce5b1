// forgetbench serve: see OpenAIServer.
