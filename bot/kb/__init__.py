"""Policy knowledge base: ingestion, embeddings, hybrid retrieval, extractive answers."""
