"""Lesson 11, final assessment: its model, figures and demos."""
