"""Signing a document in the portal: a document, a person, a method → a signed PDF (PAdES).

    prepared = pades.prepare(pdf, certificate, chain=..., field_name=..., reason=...)   # the digest to sign
    signed = pades.finish(prepared, signature_value)                                      # the signed PDF

The signature itself is made elsewhere, by the person's signing method (Smart-ID signs ``prepared.to_sign``, the
digest of the CMS signed attributes); ``selfcare.signing.flow`` runs a method's steps across the person's
requests. What comes out is an ordinary PAdES signature, checked afterwards by the same validator as an uploaded
document (``selfcare.mandates.signatures``). Contracts and orders can use the same capability.
"""
