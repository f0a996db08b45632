"""reviews

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 09:58:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reading_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.SmallInteger(), nullable=False),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(hidden_at IS NULL) = (hidden_reason IS NULL)', name=op.f('ck_reviews_hidden_has_reason')),
    sa.CheckConstraint('answer IS NULL OR char_length(answer) <= 2000', name=op.f('ck_reviews_answer_length')),
    sa.CheckConstraint('char_length(body) <= 2000', name=op.f('ck_reviews_body_length')),
    sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_reviews_stars_range')),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_reviews_client_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_reviews_hidden_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reader_id'], ['users.id'], name=op.f('fk_reviews_reader_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reading_id'], ['readings.id'], name=op.f('fk_reviews_reading_id_readings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('reading_id', name=op.f('uq_reviews_reading_id'))
    )
    op.create_index(op.f('ix_reviews_client_id'), 'reviews', ['client_id'], unique=False)
    op.create_index('ix_reviews_reader_visible', 'reviews', ['reader_id', 'created_at'], unique=False, postgresql_where=sa.text('hidden_at IS NULL'))


def downgrade():
    op.drop_index('ix_reviews_reader_visible', table_name='reviews', postgresql_where=sa.text('hidden_at IS NULL'))
    op.drop_index(op.f('ix_reviews_client_id'), table_name='reviews')
    op.drop_table('reviews')
