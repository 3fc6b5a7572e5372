"""Initial schema: documents, knowledge, extractions, incidents, claims, actions, red lines, attributions, evaluations.

Revision ID: 0001
Revises: 
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tripwire.store.codec import JSONDoc, UTCDateTime

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('actions',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.Column('stored_at', UTCDateTime(), nullable=False),
    sa.Column('payload', JSONDoc, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    op.create_index(op.f('ix_actions_date'), 'actions', ['date'], unique=False)
    op.create_index(op.f('ix_actions_kind'), 'actions', ['kind'], unique=False)

    op.create_table('actors',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.Column('front_for', sa.String(length=200), nullable=True),
    sa.Column('part_of', sa.String(length=200), nullable=True),
    sa.Column('members', JSONDoc, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actors'))
    )
    op.create_table('attributions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=50), nullable=False),
    sa.Column('stored_at', UTCDateTime(), nullable=False),
    sa.Column('payload', JSONDoc, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attributions'))
    )
    op.create_index('ix_attributions_incident_id_id', 'attributions', ['incident_id', 'id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('outlet', sa.String(length=300), nullable=True),
    sa.Column('author', sa.Text(), nullable=True),
    sa.Column('published', UTCDateTime(), nullable=True),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('raw_sha256', sa.String(length=64), nullable=True),
    sa.Column('retrieved_at', UTCDateTime(), nullable=True),
    sa.Column('stored_at', UTCDateTime(), nullable=False),
    sa.Column('payload', JSONDoc, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    op.create_index(op.f('ix_documents_outlet'), 'documents', ['outlet'], unique=False)
    op.create_index(op.f('ix_documents_published'), 'documents', ['published'], unique=False)

    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('rule_id', sa.String(length=200), nullable=False),
    sa.Column('incident_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('previous_status', sa.String(length=20), nullable=True),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('evaluated_at', UTCDateTime(), nullable=True),
    sa.Column('stored_at', UTCDateTime(), nullable=False),
    sa.Column('payload', JSONDoc, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations'))
    )
    op.create_index(op.f('ix_evaluations_incident_id'), 'evaluations', ['incident_id'], unique=False)
    op.create_index('ix_evaluations_rule_id_incident_id_id', 'evaluations', ['rule_id', 'incident_id', 'id'], unique=False)

    op.create_table('extractions',
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('extractor_version', sa.String(length=50), nullable=False),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('stored_at', UTCDateTime(), nullable=False),
    sa.Column('payload', JSONDoc, nullable=False),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_extractions'))
    )
    op.create_table('incidents',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('attack_type', sa.String(length=100), nullable=True),
    sa.Column('killed', sa.Integer(), nullable=False),
    sa.Column('injured', sa.Integer(), nullable=False),
    sa.Column('stored_at', UTCDateTime(), nullable=False),
    sa.Column('payload', JSONDoc, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    op.create_index(op.f('ix_incidents_country'), 'incidents', ['country'], unique=False)
    op.create_index(op.f('ix_incidents_date'), 'incidents', ['date'], unique=False)

    op.create_table('outlets',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('reliability', sa.String(length=2), nullable=False),
    sa.Column('wire', sa.Boolean(), nullable=False),
    sa.Column('aliases', JSONDoc, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outlets'))
    )
    op.create_table('redline_statements',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('speaker', sa.Text(), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('payload', JSONDoc, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redline_statements'))
    )
    op.create_index(op.f('ix_redline_statements_document_id'), 'redline_statements', ['document_id'], unique=False)

    op.create_table('speakers',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.Column('reliability', sa.String(length=2), nullable=False),
    sa.Column('payload', JSONDoc, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speakers'))
    )
    op.create_table('actor_aliases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('actor_id', sa.String(length=200), nullable=False),
    sa.Column('alias', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_actor_aliases_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actor_aliases')),
    sa.UniqueConstraint('actor_id', 'alias', name=op.f('uq_actor_aliases_actor_id_alias'))
    )
    op.create_index(op.f('ix_actor_aliases_actor_id'), 'actor_aliases', ['actor_id'], unique=False)
    op.create_index(op.f('ix_actor_aliases_alias'), 'actor_aliases', ['alias'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sponsor', sa.String(length=200), nullable=True),
    sa.Column('relation', sa.String(length=50), nullable=True),
    sa.Column('hedges', JSONDoc, nullable=False),
    sa.Column('speaker', sa.Text(), nullable=True),
    sa.Column('outlet', sa.Text(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_claims_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims'))
    )
    op.create_index(op.f('ix_claims_actor'), 'claims', ['actor'], unique=False)
    op.create_index(op.f('ix_claims_incident_id'), 'claims', ['incident_id'], unique=False)

    op.create_table('document_locations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('seen_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_locations_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_locations')),
    sa.UniqueConstraint('document_id', 'location', name=op.f('uq_document_locations_document_id_location'))
    )
    op.create_index(op.f('ix_document_locations_document_id'), 'document_locations', ['document_id'], unique=False)

    op.create_table('incident_documents',
    sa.Column('incident_id', sa.String(length=200), nullable=False),
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_documents_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', 'document_id', name=op.f('pk_incident_documents'))
    )
    op.create_index(op.f('ix_incident_documents_document_id'), 'incident_documents', ['document_id'], unique=False)

    op.create_table('sponsor_links',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('actor_id', sa.String(length=200), nullable=False),
    sa.Column('sponsor', sa.String(length=200), nullable=False),
    sa.Column('relation', sa.String(length=50), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_sponsor_links_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sponsor_links')),
    sa.UniqueConstraint('actor_id', 'sponsor', 'relation', name=op.f('uq_sponsor_links_actor_id_sponsor_relation'))
    )
    op.create_index(op.f('ix_sponsor_links_actor_id'), 'sponsor_links', ['actor_id'], unique=False)
    op.create_index(op.f('ix_sponsor_links_sponsor'), 'sponsor_links', ['sponsor'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_sponsor_links_sponsor'), table_name='sponsor_links')
    op.drop_index(op.f('ix_sponsor_links_actor_id'), table_name='sponsor_links')

    op.drop_table('sponsor_links')
    op.drop_index(op.f('ix_incident_documents_document_id'), table_name='incident_documents')

    op.drop_table('incident_documents')
    op.drop_index(op.f('ix_document_locations_document_id'), table_name='document_locations')

    op.drop_table('document_locations')
    op.drop_index(op.f('ix_claims_incident_id'), table_name='claims')
    op.drop_index(op.f('ix_claims_actor'), table_name='claims')

    op.drop_table('claims')
    op.drop_index(op.f('ix_actor_aliases_alias'), table_name='actor_aliases')
    op.drop_index(op.f('ix_actor_aliases_actor_id'), table_name='actor_aliases')

    op.drop_table('actor_aliases')
    op.drop_table('speakers')
    op.drop_index(op.f('ix_redline_statements_document_id'), table_name='redline_statements')

    op.drop_table('redline_statements')
    op.drop_table('outlets')
    op.drop_index(op.f('ix_incidents_date'), table_name='incidents')
    op.drop_index(op.f('ix_incidents_country'), table_name='incidents')

    op.drop_table('incidents')
    op.drop_table('extractions')
    op.drop_index('ix_evaluations_rule_id_incident_id_id', table_name='evaluations')
    op.drop_index(op.f('ix_evaluations_incident_id'), table_name='evaluations')

    op.drop_table('evaluations')
    op.drop_index(op.f('ix_documents_published'), table_name='documents')
    op.drop_index(op.f('ix_documents_outlet'), table_name='documents')

    op.drop_table('documents')
    op.drop_index('ix_attributions_incident_id_id', table_name='attributions')

    op.drop_table('attributions')
    op.drop_table('actors')
    op.drop_index(op.f('ix_actions_kind'), table_name='actions')
    op.drop_index(op.f('ix_actions_date'), table_name='actions')

    op.drop_table('actions')
