"""escalate"""
