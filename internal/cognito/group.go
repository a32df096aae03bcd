package cognito

import (
	"context"
	"errors"
	"fmt"

	"cognate/internal/api"
	"cognate/internal/store"
)

func groupType(g store.Group) api.GroupType {
	t := api.GroupType{
		GroupName:        new(g.Name),
		UserPoolId:       new(g.PoolID),
		Precedence:       g.Precedence,
		CreationDate:     api.Time(g.CreatedAt),
		LastModifiedDate: api.Time(g.UpdatedAt),
	}
	if g.Description != "" {
		t.Description = new(g.Description)
	}
	if g.RoleARN != "" {
		t.RoleArn = new(g.RoleARN)
	}
	return t
}

func groupNotFound(err error) error {
	return notFound(err, &api.ResourceNotFoundException{Message: msgGroupNotFound})
}

func limitOf(l *int32) int {
	if l == nil || *l <= 0 {
		return defaultListLimit
	}
	return int(*l)
}

func (s *Service) CreateGroup(ctx context.Context, in *api.CreateGroupInput) (*api.CreateGroupOutput, error) {
	now := s.now()
	g := store.Group{PoolID: *in.UserPoolId, Name: *in.GroupName, Description: api.Value(in.Description),
		RoleARN: api.Value(in.RoleArn), Precedence: in.Precedence, CreatedAt: now, UpdatedAt: now}
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := s.getPool(ctx, tx, g.PoolID); err != nil {
			return err
		}
		err := tx.CreateGroup(ctx, g)
		if errors.Is(err, store.ErrConflict) {
			return &api.GroupExistsException{Message: fmt.Sprintf(msgGroupExists, g.Name)}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	t := groupType(g)
	return &api.CreateGroupOutput{Group: &t}, nil
}

func (s *Service) GetGroup(ctx context.Context, in *api.GetGroupInput) (*api.GetGroupOutput, error) {
	if _, err := s.getPool(ctx, s.store, *in.UserPoolId); err != nil {
		return nil, err
	}
	g, err := s.store.GetGroup(ctx, *in.UserPoolId, *in.GroupName)
	if err != nil {
		return nil, groupNotFound(err)
	}
	t := groupType(g)
	return &api.GetGroupOutput{Group: &t}, nil
}

// UpdateGroup changes the settings the request names and keeps the others.
func (s *Service) UpdateGroup(ctx context.Context, in *api.UpdateGroupInput) (*api.UpdateGroupOutput, error) {
	var g store.Group
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := s.getPool(ctx, tx, *in.UserPoolId); err != nil {
			return err
		}
		var err error
		if g, err = tx.GetGroup(ctx, *in.UserPoolId, *in.GroupName); err != nil {
			return groupNotFound(err)
		}
		if in.Description != nil {
			g.Description = *in.Description
		}
		if in.RoleArn != nil {
			g.RoleARN = *in.RoleArn
		}
		if in.Precedence != nil {
			g.Precedence = in.Precedence
		}
		g.UpdatedAt = s.now()
		return groupNotFound(tx.UpdateGroup(ctx, g))
	})
	if err != nil {
		return nil, err
	}
	t := groupType(g)
	return &api.UpdateGroupOutput{Group: &t}, nil
}

func (s *Service) DeleteGroup(ctx context.Context, in *api.DeleteGroupInput) (*api.DeleteGroupOutput, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := s.getPool(ctx, tx, *in.UserPoolId); err != nil {
			return err
		}
		return groupNotFound(tx.DeleteGroup(ctx, *in.UserPoolId, *in.GroupName))
	})
	if err != nil {
		return nil, err
	}
	return &api.DeleteGroupOutput{}, nil
}

func (s *Service) ListGroups(ctx context.Context, in *api.ListGroupsInput) (*api.ListGroupsOutput, error) {
	if _, err := s.getPool(ctx, s.store, *in.UserPoolId); err != nil {
		return nil, err
	}
	rows, next, err := listPage(in.NextToken, limitOf(in.Limit), func(g store.Group) string { return g.Name },
		func(page store.Page) ([]store.Group, error) { return s.store.ListGroups(ctx, *in.UserPoolId, page) })
	if err != nil {
		return nil, err
	}
	out := &api.ListGroupsOutput{Groups: []api.GroupType{}, NextToken: next}
	for _, g := range rows {
		out.Groups = append(out.Groups, groupType(g))
	}
	return out, nil
}

// membership runs fn with the addressed user and an existing group.
func (s *Service) membership(ctx context.Context, poolID, username, group string, fn func(tx store.Tx, u store.User) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		_, u, err := s.poolUser(ctx, tx, poolID, username)
		if err != nil {
			return err
		}
		if _, err := tx.GetGroup(ctx, poolID, group); err != nil {
			return groupNotFound(err)
		}
		return fn(tx, u)
	})
}

func (s *Service) AdminAddUserToGroup(ctx context.Context, in *api.AdminAddUserToGroupInput) (*api.AdminAddUserToGroupOutput, error) {
	err := s.membership(ctx, *in.UserPoolId, *in.Username, *in.GroupName, func(tx store.Tx, u store.User) error {
		return tx.AddUserToGroup(ctx, u.PoolID, *in.GroupName, u.Key)
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminAddUserToGroupOutput{}, nil
}

func (s *Service) AdminRemoveUserFromGroup(ctx context.Context, in *api.AdminRemoveUserFromGroupInput) (*api.AdminRemoveUserFromGroupOutput, error) {
	err := s.membership(ctx, *in.UserPoolId, *in.Username, *in.GroupName, func(tx store.Tx, u store.User) error {
		return tx.RemoveUserFromGroup(ctx, u.PoolID, *in.GroupName, u.Key)
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminRemoveUserFromGroupOutput{}, nil
}

func (s *Service) AdminListGroupsForUser(ctx context.Context, in *api.AdminListGroupsForUserInput) (*api.AdminListGroupsForUserOutput, error) {
	_, u, err := s.poolUser(ctx, s.store, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	rows, next, err := listPage(in.NextToken, limitOf(in.Limit), func(g store.Group) string { return g.Name },
		func(page store.Page) ([]store.Group, error) {
			return s.store.ListGroupsForUser(ctx, u.PoolID, u.Key, page)
		})
	if err != nil {
		return nil, err
	}
	out := &api.AdminListGroupsForUserOutput{Groups: []api.GroupType{}, NextToken: next}
	for _, g := range rows {
		out.Groups = append(out.Groups, groupType(g))
	}
	return out, nil
}

func (s *Service) ListUsersInGroup(ctx context.Context, in *api.ListUsersInGroupInput) (*api.ListUsersInGroupOutput, error) {
	if _, err := s.getPool(ctx, s.store, *in.UserPoolId); err != nil {
		return nil, err
	}
	if _, err := s.store.GetGroup(ctx, *in.UserPoolId, *in.GroupName); err != nil {
		return nil, groupNotFound(err)
	}
	rows, next, err := listPage(in.NextToken, limitOf(in.Limit), func(u store.User) string { return u.Key },
		func(page store.Page) ([]store.User, error) {
			return s.store.ListUsersInGroup(ctx, *in.UserPoolId, *in.GroupName, page)
		})
	if err != nil {
		return nil, err
	}
	out := &api.ListUsersInGroupOutput{Users: []api.UserType{}, NextToken: next}
	for _, u := range rows {
		t, err := userType(u, nil)
		if err != nil {
			return nil, err
		}
		out.Users = append(out.Users, t)
	}
	return out, nil
}
