package cognito

import (
	"context"
	"fmt"

	"cognate/internal/api"
	"cognate/internal/store"
)

// maxTags is AWS's limit of tags on one resource.
const maxTags = 50

// taggedPool runs fn on the pool an ARN names, in one transaction.
func (s *Service) taggedPool(ctx context.Context, arn string, fn func(tx store.Tx, p *pool) error) error {
	id, ok := s.poolIDFromARN(arn)
	if !ok {
		return &api.ResourceNotFoundException{Message: fmt.Sprintf(msgInvalidResourceARN, arn)}
	}
	return s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPoolForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(tx, p)
	})
}

func (s *Service) TagResource(ctx context.Context, in *api.TagResourceInput) (*api.TagResourceOutput, error) {
	err := s.taggedPool(ctx, *in.ResourceArn, func(tx store.Tx, p *pool) error {
		tags := map[string]string{}
		for k, v := range p.doc.Pool.UserPoolTags {
			tags[k] = v
		}
		for k, v := range in.Tags {
			tags[k] = v
		}
		if len(tags) > maxTags {
			return invalidParameter(msgTooManyTags, maxTags)
		}
		p.doc.Pool.UserPoolTags = tags
		return s.savePool(ctx, tx, p)
	})
	if err != nil {
		return nil, err
	}
	return &api.TagResourceOutput{}, nil
}

func (s *Service) UntagResource(ctx context.Context, in *api.UntagResourceInput) (*api.UntagResourceOutput, error) {
	err := s.taggedPool(ctx, *in.ResourceArn, func(tx store.Tx, p *pool) error {
		for _, k := range in.TagKeys {
			delete(p.doc.Pool.UserPoolTags, k)
		}
		return s.savePool(ctx, tx, p)
	})
	if err != nil {
		return nil, err
	}
	return &api.UntagResourceOutput{}, nil
}

func (s *Service) ListTagsForResource(ctx context.Context, in *api.ListTagsForResourceInput) (*api.ListTagsForResourceOutput, error) {
	id, ok := s.poolIDFromARN(*in.ResourceArn)
	if !ok {
		return nil, &api.ResourceNotFoundException{Message: fmt.Sprintf(msgInvalidResourceARN, *in.ResourceArn)}
	}
	p, err := s.getPool(ctx, s.store, id)
	if err != nil {
		return nil, err
	}
	tags := p.doc.Pool.UserPoolTags
	if tags == nil {
		tags = map[string]string{}
	}
	return &api.ListTagsForResourceOutput{Tags: tags}, nil
}
