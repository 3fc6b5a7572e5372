"""redlines"""
