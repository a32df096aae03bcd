package api

// The generator reads the model named by COGNATE_MODEL, or the one beside the
// repository at ../shared/aws-model/cognito-idp/service-2.json.
//go:generate go run ../gen -out .
