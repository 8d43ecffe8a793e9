"""EmotionTool in your own LangChain agent: the model decides when to look at a photo.

Usage: python examples/langchain_agent.py PHOTO --model NAME [--base-url URL]

Any tool-calling chat model works: an OpenAI-compatible server (Ollama, vLLM,
llama.cpp's server: give --base-url), OpenAI (OPENAI_API_KEY), or a local
Hugging Face model (--model hf:NAME). The tool reads only files under the
photo's folder; the model gets a short summary, your code gets the reading.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from langchain.agents import create_agent
from langchain_core.messages import ToolMessage

from emotool import EmotionTool
from emotool.llm import load_chat_model


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("photo", type=Path)
    ap.add_argument("--model", required=True, help="a tool-calling chat model")
    ap.add_argument("--base-url", default=None, help="an OpenAI-compatible server")
    args = ap.parse_args()
    photo = args.photo.resolve()

    model = load_chat_model(args.model, base_url=args.base_url)
    tool = EmotionTool(allowed_roots=[photo.parent])
    agent = create_agent(
        model,
        tools=[tool],
        system_prompt="You are a warm assistant. When the user shares a photo, read it with read_emotions "
        "before you answer, and use the reading gently, never reciting numbers.",
    )
    result = agent.invoke({"messages": [{"role": "user", "content": f"How do I look in {photo.name}?"}]})
    for message in result["messages"]:
        if isinstance(message, ToolMessage) and message.artifact is not None:
            reading = message.artifact
            faces = len(reading.faces)
            print(f"tool read: {reading.label} (confidence {reading.confidence:.2f}, {faces} face(s))")
    print(f"assistant: {result['messages'][-1].content}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
