"""Lesson 10, a second case (myeloma and cilta-cel) that branches on the learner's decisions: model, figures, demos."""
