"""attribute"""
