"""Reply generation: the ChatModel seam, the offline composer and the OpenAI-compatible client."""
