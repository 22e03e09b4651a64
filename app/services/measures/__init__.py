"""A partnership's figures: outcome measures, the values recorded against them, their thresholds RAG and charts."""
