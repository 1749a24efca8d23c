"""Local language models: backend protocol, llama.cpp backend, model registry, prompts, grammars."""
