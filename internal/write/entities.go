package write

// Code below is one create and one update per directory type; they differ
// only in their ent builders. The logic is in create and update.

import (
	"context"

	"github.com/village-directory/village/ent"
)

// CreateOrganization creates a Organization from in.
func (w *Writer) CreateOrganization(ctx context.Context, in ent.CreateOrganizationInput) (*ent.Organization, error) {
	return create(ctx, w, ent.TypeOrganization, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Organization, error)) {
		b := c.Organization.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdateOrganization applies the fields set in in to Organization id, if it is still at
// version expected (when given).
func (w *Writer) UpdateOrganization(ctx context.Context, id int, in ent.UpdateOrganizationInput, expected *int) (*ent.Organization, error) {
	return update(ctx, w, ent.TypeOrganization, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Organization, error)) {
		b := c.Organization.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}

// CreateProgram creates a Program from in.
func (w *Writer) CreateProgram(ctx context.Context, in ent.CreateProgramInput) (*ent.Program, error) {
	return create(ctx, w, ent.TypeProgram, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Program, error)) {
		b := c.Program.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdateProgram applies the fields set in in to Program id, if it is still at
// version expected (when given).
func (w *Writer) UpdateProgram(ctx context.Context, id int, in ent.UpdateProgramInput, expected *int) (*ent.Program, error) {
	return update(ctx, w, ent.TypeProgram, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Program, error)) {
		b := c.Program.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}

// CreateService creates a Service from in.
func (w *Writer) CreateService(ctx context.Context, in ent.CreateServiceInput) (*ent.Service, error) {
	return create(ctx, w, ent.TypeService, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Service, error)) {
		b := c.Service.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdateService applies the fields set in in to Service id, if it is still at
// version expected (when given).
func (w *Writer) UpdateService(ctx context.Context, id int, in ent.UpdateServiceInput, expected *int) (*ent.Service, error) {
	return update(ctx, w, ent.TypeService, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Service, error)) {
		b := c.Service.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}

// CreateLocation creates a Location from in.
func (w *Writer) CreateLocation(ctx context.Context, in ent.CreateLocationInput) (*ent.Location, error) {
	return create(ctx, w, ent.TypeLocation, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Location, error)) {
		b := c.Location.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdateLocation applies the fields set in in to Location id, if it is still at
// version expected (when given).
func (w *Writer) UpdateLocation(ctx context.Context, id int, in ent.UpdateLocationInput, expected *int) (*ent.Location, error) {
	return update(ctx, w, ent.TypeLocation, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Location, error)) {
		b := c.Location.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}

// CreateServiceAtLocation creates a ServiceAtLocation from in.
func (w *Writer) CreateServiceAtLocation(ctx context.Context, in ent.CreateServiceAtLocationInput) (*ent.ServiceAtLocation, error) {
	return create(ctx, w, ent.TypeServiceAtLocation, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.ServiceAtLocation, error)) {
		b := c.ServiceAtLocation.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdateServiceAtLocation applies the fields set in in to ServiceAtLocation id, if it is still at
// version expected (when given).
func (w *Writer) UpdateServiceAtLocation(ctx context.Context, id int, in ent.UpdateServiceAtLocationInput, expected *int) (*ent.ServiceAtLocation, error) {
	return update(ctx, w, ent.TypeServiceAtLocation, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.ServiceAtLocation, error)) {
		b := c.ServiceAtLocation.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}

// CreateServiceArea creates a ServiceArea from in.
func (w *Writer) CreateServiceArea(ctx context.Context, in ent.CreateServiceAreaInput) (*ent.ServiceArea, error) {
	return create(ctx, w, ent.TypeServiceArea, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.ServiceArea, error)) {
		b := c.ServiceArea.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdateServiceArea applies the fields set in in to ServiceArea id, if it is still at
// version expected (when given).
func (w *Writer) UpdateServiceArea(ctx context.Context, id int, in ent.UpdateServiceAreaInput, expected *int) (*ent.ServiceArea, error) {
	return update(ctx, w, ent.TypeServiceArea, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.ServiceArea, error)) {
		b := c.ServiceArea.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}

// CreateTaxonomyTerm creates a TaxonomyTerm from in.
func (w *Writer) CreateTaxonomyTerm(ctx context.Context, in ent.CreateTaxonomyTermInput) (*ent.TaxonomyTerm, error) {
	return create(ctx, w, ent.TypeTaxonomyTerm, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.TaxonomyTerm, error)) {
		b := c.TaxonomyTerm.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdateTaxonomyTerm applies the fields set in in to TaxonomyTerm id, if it is still at
// version expected (when given).
func (w *Writer) UpdateTaxonomyTerm(ctx context.Context, id int, in ent.UpdateTaxonomyTermInput, expected *int) (*ent.TaxonomyTerm, error) {
	return update(ctx, w, ent.TypeTaxonomyTerm, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.TaxonomyTerm, error)) {
		b := c.TaxonomyTerm.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}

// CreatePhone creates a Phone from in.
func (w *Writer) CreatePhone(ctx context.Context, in ent.CreatePhoneInput) (*ent.Phone, error) {
	return create(ctx, w, ent.TypePhone, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Phone, error)) {
		b := c.Phone.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdatePhone applies the fields set in in to Phone id, if it is still at
// version expected (when given).
func (w *Writer) UpdatePhone(ctx context.Context, id int, in ent.UpdatePhoneInput, expected *int) (*ent.Phone, error) {
	return update(ctx, w, ent.TypePhone, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Phone, error)) {
		b := c.Phone.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}

// CreateContact creates a Contact from in.
func (w *Writer) CreateContact(ctx context.Context, in ent.CreateContactInput) (*ent.Contact, error) {
	return create(ctx, w, ent.TypeContact, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Contact, error)) {
		b := c.Contact.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdateContact applies the fields set in in to Contact id, if it is still at
// version expected (when given).
func (w *Writer) UpdateContact(ctx context.Context, id int, in ent.UpdateContactInput, expected *int) (*ent.Contact, error) {
	return update(ctx, w, ent.TypeContact, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Contact, error)) {
		b := c.Contact.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}

// CreateSchedule creates a Schedule from in.
func (w *Writer) CreateSchedule(ctx context.Context, in ent.CreateScheduleInput) (*ent.Schedule, error) {
	return create(ctx, w, ent.TypeSchedule, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Schedule, error)) {
		b := c.Schedule.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdateSchedule applies the fields set in in to Schedule id, if it is still at
// version expected (when given).
func (w *Writer) UpdateSchedule(ctx context.Context, id int, in ent.UpdateScheduleInput, expected *int) (*ent.Schedule, error) {
	return update(ctx, w, ent.TypeSchedule, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Schedule, error)) {
		b := c.Schedule.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}

// CreateResource creates a Resource from in.
func (w *Writer) CreateResource(ctx context.Context, in ent.CreateResourceInput) (*ent.Resource, error) {
	return create(ctx, w, ent.TypeResource, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Resource, error)) {
		b := c.Resource.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdateResource applies the fields set in in to Resource id, if it is still at
// version expected (when given).
func (w *Writer) UpdateResource(ctx context.Context, id int, in ent.UpdateResourceInput, expected *int) (*ent.Resource, error) {
	return update(ctx, w, ent.TypeResource, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Resource, error)) {
		b := c.Resource.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}

// CreateFunding creates a Funding from in.
func (w *Writer) CreateFunding(ctx context.Context, in ent.CreateFundingInput) (*ent.Funding, error) {
	return create(ctx, w, ent.TypeFunding, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Funding, error)) {
		b := c.Funding.Create().SetInput(in)
		return b.Mutation(), b.Save
	})
}

// UpdateFunding applies the fields set in in to Funding id, if it is still at
// version expected (when given).
func (w *Writer) UpdateFunding(ctx context.Context, id int, in ent.UpdateFundingInput, expected *int) (*ent.Funding, error) {
	return update(ctx, w, ent.TypeFunding, id, expected, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Funding, error)) {
		b := c.Funding.UpdateOneID(id).SetInput(in)
		return b.Mutation(), b.Save
	})
}
