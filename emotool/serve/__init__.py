"""Serving and scaling emotool: batch analysis (local processes or Ray), the MCP server, the HTTP API.

Everything here is imported on demand: ``emotool --help`` loads none of it, and
each server's framework (``mcp``, FastAPI, Ray) is imported only by the command
that uses it (``pip install 'emotool[serve]'``, ``'emotool[ray]'``).
"""
